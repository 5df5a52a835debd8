/* Tiny I/O for the C test programs: read(2), write(2) and hex/decimal printing, no libc. */
#pragma once
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

static inline long syscall3(long num, long fd, long buf, long n) {
  register long v0 __asm__("$2") = num;
  register long a0 __asm__("$4") = fd;
  register long a1 __asm__("$5") = buf;
  register long a2 __asm__("$6") = n;
  register long a3 __asm__("$7");
  __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2)
                   : "memory", "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo");
  return v0;
}

static inline long sys_write(int fd, const void *buf, unsigned long n) { return syscall3(4004, fd, (long)buf, (long)n); }
static inline long sys_read(int fd, void *buf, unsigned long n) { return syscall3(4003, fd, (long)buf, (long)n); }

static char out_buf[4096];
static unsigned out_len;
static void flush(void) { sys_write(1, out_buf, out_len); out_len = 0; }
static void put(char c) { if (out_len == sizeof out_buf) flush(); out_buf[out_len++] = c; }
static void puts_(const char *s) { while (*s) put(*s++); }
static void hex32(u32 v) { for (int i = 28; i >= 0; i -= 4) put("0123456789abcdef"[(v >> i) & 15]); }
static void hex64(u64 v) { hex32((u32)(v >> 32)); hex32((u32)v); }
static void line(const char *label, u32 v) { puts_(label); put(' '); hex32(v); put('\n'); }
