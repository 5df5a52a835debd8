// Goroutines and channels: a worker pool, a select over two channels, and a WaitGroup.
package main

import (
	"fmt"
	"sync"
)

func main() {
	jobs := make(chan int, 16)
	results := make(chan int, 16)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- j * j
			}
		}()
	}
	go func() {
		for i := 1; i <= 200; i++ {
			jobs <- i
		}
		close(jobs)
	}()
	go func() { wg.Wait(); close(results) }()
	total := 0
	for r := range results {
		total += r
	}
	a, b := make(chan string), make(chan string)
	go func() { a <- "a" }()
	go func() { b <- "b" }()
	got := ""
	for i := 0; i < 2; i++ {
		select {
		case s := <-a:
			got += s
		case s := <-b:
			got += s
		}
	}
	fmt.Println(total, len(got))
}
