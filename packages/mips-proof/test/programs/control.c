/* Calls through pointers (jalr), switch jump tables (jr), recursion, and atomics (ll/sc). */
#include "io.h"

typedef u32 (*op_fn)(u32, u32);
static u32 op_add(u32 a, u32 b) { return a + b; }
static u32 op_xor(u32 a, u32 b) { return a ^ b; }
static u32 op_rot(u32 a, u32 b) { return (a << (b & 31)) | (a >> ((32 - (b & 31)) & 31)); }
static op_fn ops[] = {op_add, op_xor, op_rot};

static u32 __attribute__((noinline)) fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u32 __attribute__((noinline)) classify(u32 x) {
  switch (x % 9) {
    case 0: return 0x11;
    case 1: return x * 3;
    case 2: return x ^ 0x55;
    case 3: return x >> 2;
    case 4: return x + 1000;
    case 5: return ~x;
    case 6: return x * x;
    case 7: return 7;
    default: return x - 1;
  }
}

static volatile u32 counter;

int main(void) {
  u32 acc = 1;
  for (u32 i = 0; i < 300; i++) acc = ops[i % 3](acc, i) + classify(acc + i);
  line("ops", acc);
  line("fib", fib(20));
  for (u32 i = 0; i < 100; i++) __atomic_fetch_add(&counter, i, __ATOMIC_SEQ_CST);
  u32 expected = 4950;
  line("atomic", counter);
  u32 old = __atomic_exchange_n(&counter, 7, __ATOMIC_SEQ_CST);
  line("xchg", old + counter);
  flush();
  return counter == 7 && old == expected ? 0 : 1;
}
