import { loadCorpus, loadTrace } from '@stepproof/block-traces'

const t = loadCorpus('standard').find((e) => e.trace.id === 'standard/deployments')!.trace
const l = await loadTrace(t, t.id)
console.log(l.common.hardfork(), l.common.isActivatedEIP(8038), l.common.isActivatedEIP(2929), l.common.isActivatedEIP(7928))
