// Maps: inserts, deletes and lookups, printed in sorted order (iteration order is random in Go).
package main

import (
	"fmt"
	"sort"
	"strconv"
)

func main() {
	m := map[string]int{}
	for i := 0; i < 5000; i++ {
		m["k"+strconv.Itoa(i*7919%10007)] = i
	}
	for i := 0; i < 5000; i += 3 {
		delete(m, "k"+strconv.Itoa(i*7919%10007))
	}
	keys := make([]string, 0, len(m))
	sum := 0
	for k, v := range m {
		keys = append(keys, k)
		sum += v
	}
	sort.Strings(keys)
	fmt.Println(len(m), sum, keys[:5], keys[len(keys)-3:])
}
