package sqlite_test

import "github.com/aliscout/aliscout/internal/catalog"

func storeMoney(amount int64) catalog.Money {
	return catalog.Money{Amount: amount, Currency: "USD"}
}
