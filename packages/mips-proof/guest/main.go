// The stepproof guest: go-ethereum's own state processor executes one block whose inputs arrive
// only through the preimage oracle (boot data under local key 1, trie nodes and code by keccak256),
// compares the post-state root with the claim, prints one line, and exits 0 if the claim holds
// and 1 if it does not. A block go-ethereum would not import (its header against the parent's,
// its body against its header, an invalid transaction, or a post-state other than its header
// claims) prints "invalid block: <reason>" and exits 1: no claim about its post-state holds.
package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/beacon"
	"github.com/ethereum/go-ethereum/consensus/ethash"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"
)

// boot is the data under local key 1, RLP-encoded by the host.
type boot struct {
	Fork           string
	ChainID        uint64
	Parent         []byte   // RLP header
	Block          []byte   // RLP block
	Ancestors      [][]byte // RLP headers before the parent, oldest first
	ClaimedRoot    common.Hash
	ClaimedReceipt common.Hash
}

// chain serves the parent and ancestor headers to the EVM (BLOCKHASH) and the consensus engine.
type chain struct {
	config  *params.ChainConfig
	engine  consensus.Engine
	headers map[common.Hash]*types.Header
	byNum   map[uint64]*types.Header
	head    *types.Header
}

func (c *chain) Config() *params.ChainConfig                 { return c.config }
func (c *chain) Engine() consensus.Engine                    { return c.engine }
func (c *chain) CurrentHeader() *types.Header                { return c.head }
func (c *chain) GetHeaderByHash(h common.Hash) *types.Header { return c.headers[h] }
func (c *chain) GetHeaderByNumber(n uint64) *types.Header    { return c.byNum[n] }
func (c *chain) GetHeader(h common.Hash, n uint64) *types.Header {
	if hd := c.headers[h]; hd != nil && hd.Number.Uint64() == n {
		return hd
	}
	return nil
}

// chainConfig activates every fork up to the named one from genesis.
func chainConfig(fork string, chainID uint64) *params.ChainConfig {
	zero := uint64(0)
	cfg := *params.MergedTestChainConfig
	cfg.ChainID = new(big.Int).SetUint64(chainID)
	cfg.DepositContractAddress = common.HexToAddress("0x00000000219ab540356cbb839cbe05303d7705fa")
	cfg.CancunTime, cfg.PragueTime, cfg.OsakaTime = nil, nil, nil
	switch fork {
	case "Osaka":
		cfg.OsakaTime = &zero
		fallthrough
	case "Prague":
		cfg.PragueTime = &zero
		fallthrough
	case "Cancun":
		cfg.CancunTime = &zero
	case "Shanghai":
	default:
		fail(2, "unknown fork %q", fork)
	}
	return &cfg
}

func fail(code int, format string, args ...any) {
	fmt.Printf("stepproof-guest: "+format+"\n", args...)
	os.Exit(code)
}

// phase tells the host, on stderr, that the guest enters a phase of its run; the host notes the
// step count there to split the run into start-up, input, execution and commitment.
func phase(name string) { fmt.Fprintf(os.Stderr, "stepproof-phase %s\n", name) }

func main() {
	phase("input")
	var b boot
	// Local key 1 holds the keccak256 of the boot data (32 bytes: what a dispute game can post as
	// local data); the boot data itself is that hash's preimage.
	bootHash := getPreimage(localKey(1))
	if len(bootHash) != 32 {
		fail(2, "boot data: local key 1 holds %d bytes, not a 32-byte hash", len(bootHash))
	}
	if err := rlp.DecodeBytes(keccakPreimage(common.BytesToHash(bootHash)), &b); err != nil {
		fail(2, "boot data: %v", err)
	}
	var parent types.Header
	if err := rlp.DecodeBytes(b.Parent, &parent); err != nil {
		fail(2, "parent header: %v", err)
	}
	var block types.Block
	if err := rlp.DecodeBytes(b.Block, &block); err != nil {
		fail(2, "block: %v", err)
	}
	c := &chain{
		config:  chainConfig(b.Fork, b.ChainID),
		engine:  beacon.New(ethash.NewFaker()),
		headers: map[common.Hash]*types.Header{parent.Hash(): &parent},
		byNum:   map[uint64]*types.Header{parent.Number.Uint64(): &parent},
		head:    &parent,
	}
	for _, raw := range b.Ancestors {
		var h types.Header
		if err := rlp.DecodeBytes(raw, &h); err != nil {
			fail(2, "ancestor header: %v", err)
		}
		c.headers[h.Hash()], c.byNum[h.Number.Uint64()] = &h, &h
	}

	kv := oracleKV{memorydb.New()}
	db := state.NewDatabase(triedb.NewDatabase(rawdb.NewDatabase(kv), triedb.HashDefaults), nil)
	statedb, err := state.New(parent.Root, db)
	if err != nil {
		fail(2, "pre-state: %v", err)
	}
	header := block.Header()
	if err := c.engine.VerifyHeader(c, header); err != nil {
		fail(1, "invalid block: header: %v", err)
	}
	if err := verifyBody(c.config, &block); err != nil {
		fail(1, "invalid block: body: %v", err)
	}
	phase("execution")
	result, err := core.NewStateProcessor(c).Process(context.Background(), &block, statedb, nil, nil, vm.Config{DisableParallelExecution: true}, nil)
	if err != nil {
		fail(1, "invalid block: %v", err)
	}
	phase("commitment")
	root := statedb.IntermediateRoot(c.config.Rules(header.Number, true, header.Time))
	receipts := types.DeriveSha(result.Receipts, trie.NewStackTrie(nil))
	bloom := types.MergeBloom(result.Receipts)
	requests := "none"
	var requestsHash *common.Hash
	if c.config.IsPrague(header.Number, header.Time) {
		h := types.CalcRequestsHash(result.Requests)
		requestsHash, requests = &h, fmt.Sprintf("%x", h)
	}
	if err := verifyOutcome(header, root, receipts, bloom, result.GasUsed, requestsHash); err != nil {
		fail(1, "invalid block: %v", err)
	}
	ok := root == b.ClaimedRoot && receipts == b.ClaimedReceipt && result.GasUsed == header.GasUsed
	fmt.Printf("stateRoot=%x receiptsRoot=%x gasUsed=%d logsBloom=%x requestsHash=%s claim=%v\n", root, receipts, result.GasUsed, bloom[:], requests, ok)
	if !ok {
		os.Exit(1)
	}
	os.Exit(0)
}

// verifyBody checks the block's body against its header as go-ethereum's BlockValidator.ValidateBody
// does (that one needs a whole BlockChain): the Osaka size cap, no uncles, the transactions and
// withdrawals roots, and the blob gas the header claims against the body's blobs.
func verifyBody(config *params.ChainConfig, block *types.Block) error {
	header := block.Header()
	if config.IsOsaka(header.Number, header.Time) && block.Size() > params.MaxBlockSize {
		return core.ErrBlockOversized
	}
	if len(block.Uncles()) > 0 {
		return errors.New("uncles not allowed")
	}
	if h := types.CalcUncleHash(block.Uncles()); h != header.UncleHash {
		return fmt.Errorf("uncle root hash mismatch (header value %x, calculated %x)", header.UncleHash, h)
	}
	if h := types.DeriveSha(block.Transactions(), trie.NewStackTrie(nil)); h != header.TxHash {
		return fmt.Errorf("transaction root hash mismatch (header value %x, calculated %x)", header.TxHash, h)
	}
	if header.WithdrawalsHash != nil {
		if block.Withdrawals() == nil {
			return errors.New("missing withdrawals in block body")
		}
		if h := types.DeriveSha(block.Withdrawals(), trie.NewStackTrie(nil)); h != *header.WithdrawalsHash {
			return fmt.Errorf("withdrawals root hash mismatch (header value %x, calculated %x)", *header.WithdrawalsHash, h)
		}
	} else if block.Withdrawals() != nil {
		return errors.New("withdrawals present in block body")
	}
	blobs := 0
	for i, tx := range block.Transactions() {
		blobs += len(tx.BlobHashes())
		if tx.BlobTxSidecar() != nil {
			return fmt.Errorf("unexpected blob sidecar in transaction at index %d", i)
		}
	}
	if header.BlobGasUsed != nil {
		if want := *header.BlobGasUsed / params.BlobTxBlobGasPerBlob; uint64(blobs) != want {
			return fmt.Errorf("blob gas used mismatch (header %v, calculated %v)", *header.BlobGasUsed, blobs*params.BlobTxBlobGasPerBlob)
		}
	} else if blobs > 0 {
		return errors.New("data blobs present in block body")
	}
	return nil
}

// verifyOutcome checks what executing the block gave against what its header claims, as
// BlockValidator.ValidateState does: gas used, bloom, receipts root, requests hash, state root.
func verifyOutcome(header *types.Header, root, receipts common.Hash, bloom types.Bloom, gasUsed uint64, requests *common.Hash) error {
	switch {
	case header.GasUsed != gasUsed:
		return fmt.Errorf("invalid gas used (remote: %d local: %d)", header.GasUsed, gasUsed)
	case header.Bloom != bloom:
		return errors.New("invalid bloom")
	case header.ReceiptHash != receipts:
		return fmt.Errorf("invalid receipt root hash (remote: %x local: %x)", header.ReceiptHash, receipts)
	case (header.RequestsHash == nil) != (requests == nil), requests != nil && *header.RequestsHash != *requests:
		return fmt.Errorf("invalid requests hash (remote: %v local: %v)", header.RequestsHash, requests)
	case header.Root != root:
		return fmt.Errorf("invalid merkle root (remote: %x local: %x)", header.Root, root)
	}
	return nil
}
