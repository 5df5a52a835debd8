// An allocation-heavy loop: many short-lived objects and a few kept alive (the VM's Go runtime
// has its collector patched out, so this shows memory growth; output must still match).
package main

import "fmt"

type node struct {
	next *node
	data [12]int32
}

func main() {
	var keep []*node
	checksum := int32(0)
	for i := 0; i < 200_000; i++ {
		n := &node{}
		n.data[i%12] = int32(i)
		checksum += n.data[i%12] ^ int32(len(keep))
		if i%1000 == 0 {
			keep = append(keep, n)
		}
	}
	fmt.Println(len(keep), checksum)
}
