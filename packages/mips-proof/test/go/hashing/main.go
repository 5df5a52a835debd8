// Hashes a generated buffer with the standard library's SHA-256, SHA-512, MD5 and CRC-32.
package main

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash/crc32"
)

func main() {
	buf := make([]byte, 10000)
	for i := range buf {
		buf[i] = byte(i*13 + 5)
	}
	fmt.Printf("sha256 %x\n", sha256.Sum256(buf))
	fmt.Printf("sha512 %x\n", sha512.Sum512(buf))
	fmt.Printf("md5 %x\n", md5.Sum(buf))
	fmt.Printf("crc32 %08x\n", crc32.ChecksumIEEE(buf))
}
