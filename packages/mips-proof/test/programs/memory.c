/* Loads and stores of every width, signed and unsigned, aligned and not (lwl/lwr/swl/swr). */
#include "io.h"

struct __attribute__((packed)) unaligned { char pad; u32 word; short half; };

static volatile unsigned char bytes[64];
static volatile signed char sbytes[8] = {-128, -1, 0, 1, 127, -2, 2, 64};
static volatile short shorts[4] = {-32768, -1, 1, 32767};

int main(void) {
  for (unsigned i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)(i * 37 + 11);
  u32 acc = 0;
  for (int i = 0; i < 8; i++) acc = acc * 31 + (u32)(i32)sbytes[i];
  line("sbytes", acc);
  for (int i = 0; i < 4; i++) acc = acc * 31 + (u32)(i32)shorts[i];
  line("shorts", acc);
  for (int off = 0; off < 8; off++) {
    volatile struct unaligned *p = (volatile struct unaligned *)(bytes + off);
    line("word", p->word);
    line("half", (u32)(i32)p->half);
    p->word = 0xa1b2c3d4u + (u32)off;
    p->half = (short)(0x8000 + off);
  }
  for (unsigned i = 0; i < sizeof bytes; i += 4) line("mem", *(volatile u32 *)(bytes + i));
  flush();
  return 0;
}
