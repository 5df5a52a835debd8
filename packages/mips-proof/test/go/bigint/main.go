// Big-integer arithmetic: a factorial, a modular exponentiation and a gcd with math/big.
package main

import (
	"fmt"
	"math/big"
)

func main() {
	f := big.NewInt(1)
	for i := int64(2); i <= 300; i++ {
		f.Mul(f, big.NewInt(i))
	}
	fmt.Println("300! has", len(f.String()), "digits, ends", f.String()[:20])
	m, _ := new(big.Int).SetString("170141183460469231731687303715884105727", 10)
	e := new(big.Int).Exp(big.NewInt(3), big.NewInt(1_000_003), m)
	fmt.Println("3^1000003 mod (2^127-1) =", e)
	g := new(big.Int).GCD(nil, nil, f, new(big.Int).Lsh(big.NewInt(1), 400))
	fmt.Println("gcd =", g.BitLen(), "bits")
}
