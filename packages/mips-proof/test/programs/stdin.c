/* Reads stdin to EOF in odd-sized chunks; prints its length, a checksum and the bytes upper-cased. */
#include "io.h"

static long sys_read(int fd, void *buf, unsigned long n) {
  register long v0 __asm__("$2") = 4003;
  register long a0 __asm__("$4") = fd;
  register long a1 __asm__("$5") = (long)buf;
  register long a2 __asm__("$6") = (long)n;
  register long a3 __asm__("$7");
  __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2)
                   : "memory", "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo");
  return a3 ? -v0 : v0;
}

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
