module stepproof.bench/vmbench

go 1.26
