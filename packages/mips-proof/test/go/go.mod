module stepproof.test/goprograms

go 1.26
