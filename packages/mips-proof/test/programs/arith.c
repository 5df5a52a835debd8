/* Integer arithmetic over edge values: what gcc -O2 makes of C's operators on MIPS32. */
#include "io.h"

static volatile i32 vals[] = {0, 1, -1, 2, -2, 7, 31, 32, 33, 0x7fffffff, (i32)0x80000000, 0x12345678, (i32)0xfedcba98, 0x0000ffff, (i32)0xffff0000, 1000003};
#define N (sizeof vals / sizeof vals[0])

static u32 mix(u32 acc, u32 v) { return (acc ^ v) * 0x9e3779b1u + (acc >> 7); }

int main(void) {
  u32 acc = 0;
  for (unsigned i = 0; i < N; i++) {
    for (unsigned j = 0; j < N; j++) {
      i32 a = vals[i], b = vals[j];
      u32 ua = (u32)a, ub = (u32)b;
      acc = mix(acc, ua + ub);
      acc = mix(acc, ua - ub);
      acc = mix(acc, ua * ub);
      acc = mix(acc, ua & ub);
      acc = mix(acc, ua | ub);
      acc = mix(acc, ua ^ ub);
      acc = mix(acc, ~(ua | ub));
      acc = mix(acc, a < b);
      acc = mix(acc, ua < ub);
      acc = mix(acc, ua << (ub & 31));
      acc = mix(acc, ua >> (ub & 31));
      acc = mix(acc, (u32)(a >> (ub & 31)));
      acc = mix(acc, (u32)((i64)a * (i64)b >> 32));
      acc = mix(acc, (u32)((u64)ua * (u64)ub >> 32));
      if (b != 0 && !(a == (i32)0x80000000 && b == -1)) {
        acc = mix(acc, (u32)(a / b));
        acc = mix(acc, (u32)(a % b));
      }
      if (ub != 0) {
        acc = mix(acc, ua / ub);
        acc = mix(acc, ua % ub);
      }
      acc = mix(acc, a > b ? ua : ub);
      acc = mix(acc, ub ? (u32)__builtin_clz(ub) : 32u);
    }
    line("acc", acc);
  }
  flush();
  return (int)(acc & 0x7f);
}
