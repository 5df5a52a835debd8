package main

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The preimage-oracle file descriptors of Cannon's ABI.
const (
	fdPreimageRead  = 5
	fdPreimageWrite = 6
)

// Key types: 1 = local data (by identifier; 1 = the boot data's hash), 2 = keccak256 preimage.
const (
	keyTypeLocal     = 1
	keyTypeKeccak256 = 2
)

// getPreimage asks the host for the preimage of a key: the key goes out on fd 6 (the VM takes a few
// bytes per write), then the 8-byte big-endian length and the data come back on fd 5.
func getPreimage(key [32]byte) []byte {
	writeAll(fdPreimageWrite, key[:])
	var length [8]byte
	readFull(fdPreimageRead, length[:])
	data := make([]byte, binary.BigEndian.Uint64(length[:]))
	readFull(fdPreimageRead, data)
	return data
}

func localKey(ident uint64) [32]byte {
	var key [32]byte
	key[0] = keyTypeLocal
	binary.BigEndian.PutUint64(key[24:], ident)
	return key
}

// keccakPreimage returns the preimage of a keccak256 hash, checked against the hash.
func keccakPreimage(hash common.Hash) []byte {
	key := hash
	key[0] = keyTypeKeccak256
	data := getPreimage(key)
	if crypto.Keccak256Hash(data) != hash {
		panic(fmt.Sprintf("preimage oracle: the data for %x does not hash to it", hash))
	}
	return data
}

func writeAll(fd int, b []byte) {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err != nil {
			panic(fmt.Sprintf("write fd %d: %v", fd, err))
		}
		b = b[n:]
	}
}

func readFull(fd int, b []byte) {
	for len(b) > 0 {
		n, err := syscall.Read(fd, b)
		if err != nil || n == 0 {
			panic(fmt.Sprintf("read fd %d: %d bytes left, %v", fd, len(b), err))
		}
		b = b[n:]
	}
}
