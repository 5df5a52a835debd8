/* Reads stdin to EOF in odd-sized chunks; prints its length, a checksum and the bytes upper-cased. */
#include "io.h"

int main(void) {
  static char buf[7];
  u32 total = 0, sum = 0;
  for (;;) {
    long n = sys_read(0, buf + (total & 1), 7 - (total & 1)); /* odd and even destinations */
    if (n <= 0) break;
    for (long i = 0; i < n; i++) {
      char c = buf[(total & 1) + i];
      sum = sum * 31 + (unsigned char)c;
      put(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    total += (u32)n;
  }
  put('\n');
  line("bytes", total);
  line("checksum", sum);
  flush();
  return 0;
}
