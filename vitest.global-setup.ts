import { forgeBuild } from '@stepproof/contracts'

/** Builds the contracts once, before any test file reads their artifacts (tests run in parallel). */
export default function setup(): void {
  forgeBuild()
}
