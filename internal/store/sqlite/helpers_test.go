package sqlite_test

import "github.com/aliscout/aliscout/aliexpress"

func storeMoney(amount int64) aliexpress.Money {
	return aliexpress.Money{Amount: amount, Currency: "USD"}
}
