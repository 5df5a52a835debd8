// The VM speed benchmark's guest: hashing, map churn and allocation, sized to run well over
// 100 million MIPS steps, printing a checksum so a wrong execution cannot pass unnoticed.
package main

import (
	"crypto/sha256"
	"fmt"
	"strconv"
)

func main() {
	buf := make([]byte, 1<<16)
	for i := range buf {
		buf[i] = byte(i * 31)
	}
	var digest [32]byte
	for round := 0; round < 48; round++ {
		copy(buf, digest[:])
		digest = sha256.Sum256(buf)
	}
	m := map[string]int{}
	for i := 0; i < 150_000; i++ {
		m[strconv.Itoa(i%40_000)] += i
	}
	fmt.Printf("%x %d\n", digest[:8], len(m))
}
