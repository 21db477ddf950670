package orders

import (
	"slices"
	"testing"

	"github.com/aliscout/aliscout/internal/store"
)

func fields(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestCheckAddress(t *testing.T) {
	us := store.OrderAddress{FullName: "Jane Doe", Address: "100 Main Street", City: "Austin", Province: "Texas", Zip: "73301", Country: "US", Phone: "5125550100"}
	tests := []struct {
		name string
		edit func(a *store.OrderAddress)
		want []string
	}{
		{"good US", func(*store.OrderAddress) {}, nil},
		{"US one-word name", func(a *store.OrderAddress) { a.FullName = "Jane" }, []string{"address.full_name"}},
		{"US long address", func(a *store.OrderAddress) { a.Address = "1234 Very Long Boulevard Name Apartment 99" }, []string{"address.address"}},
		{"US short address", func(a *store.OrderAddress) { a.Address = "1 A" }, []string{"address.address"}},
		{"US province Other", func(a *store.OrderAddress) { a.Province = "Other" }, []string{"address.province"}},
		{"missing city", func(a *store.OrderAddress) { a.City = " " }, []string{"address.city"}},
		{"bad country", func(a *store.OrderAddress) { a.Country = "USA" }, []string{"address.country"}},
		{"BR good", func(a *store.OrderAddress) {
			*a = store.OrderAddress{FullName: "João Silva", Address: "Rua A 1", City: "São Paulo", Province: "SP", Zip: "01310-100", Country: "BR", CPF: "529.982.247-25"}
		}, nil},
		{"BR bad CPF", func(a *store.OrderAddress) {
			*a = store.OrderAddress{FullName: "João Silva", Address: "Rua A 1", City: "São Paulo", Province: "SP", Zip: "01310-100", Country: "BR", CPF: "529.982.247-26"}
		}, []string{"address.cpf"}},
		{"ES phone", func(a *store.OrderAddress) { a.Country, a.Phone = "ES", "+34 612 34 56 7" }, []string{"address.phone"}},
		{"ES good", func(a *store.OrderAddress) { a.Country, a.Phone = "ES", "612 345 678" }, nil},
		{"SA", func(a *store.OrderAddress) { a.Country, a.Phone, a.NatAddr = "SA", "412345678", "rrr1" }, []string{"address.phone", "address.nat_addr"}},
		{"AU digits in name", func(a *store.OrderAddress) { a.Country, a.FullName = "AU", "Jane Doe 2" }, []string{"address.full_name"}},
		{"NZ good", func(a *store.OrderAddress) { a.Country, a.FullName = "NZ", "Mere O'Neil" }, nil},
		{"MX address2", func(a *store.OrderAddress) {
			a.Country, a.Address2 = "MX", "Entre calle Reforma y calle Insurgentes, edificio azul, piso 3"
		}, []string{"address.address2"}},
		{"AR", func(a *store.OrderAddress) { a.Country, a.Phone, a.TaxNumber = "AR", "11 1234 567", "" }, []string{"address.phone", "address.tax_number"}},
		{"AR good", func(a *store.OrderAddress) { a.Country, a.Phone, a.TaxNumber = "AR", "221 555 0100", "20-12345678-6" }, nil},
		{"AR foreigner, no hyphens", func(a *store.OrderAddress) {
			a.Country, a.Phone, a.TaxNumber, a.IsForeigner = "AR", "2215550100", "20123456786", true
		}, nil},
		{"AR DNI only", func(a *store.OrderAddress) { a.Country, a.Phone, a.TaxNumber = "AR", "2215550100", "12.345.678" }, []string{"address.tax_number"}},
		{"IL good", func(a *store.OrderAddress) { a.Country, a.TaxNumber = "IL", "123456782" }, nil},
		{"IL without leading zero", func(a *store.OrderAddress) { a.Country, a.TaxNumber = "IL", "23456782" }, []string{"address.tax_number"}},
		{"IL letters", func(a *store.OrderAddress) { a.Country, a.TaxNumber = "IL", "A23456782" }, []string{"address.tax_number"}},
		{"SA good", func(a *store.OrderAddress) {
			*a = store.OrderAddress{FullName: "Ahmed Ali", Address: "King Fahd Road 12", City: "Riyadh", Province: "Riyadh", Zip: "12345", Country: "SA", Phone: "512345678", NatAddr: "rrrd2929"}
		}, nil},
		{"SA name, zip, city", func(a *store.OrderAddress) {
			*a = store.OrderAddress{FullName: "Ahmed", Address: "King Fahd Road 12", City: "R", Province: "Riyadh", Country: "SA", Phone: "512345678", NatAddr: "RRRD2929"}
		}, []string{"address.full_name", "address.zip", "address.city"}},
		{"BR city Other", func(a *store.OrderAddress) {
			*a = store.OrderAddress{FullName: "João Silva", Address: "Rua A 1", City: "Other", Province: "SP", Zip: "01310-100", Country: "BR", CPF: "529.982.247-25"}
		}, []string{"address.city"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := us
			tt.edit(&a)
			got := fields(CheckAddress(a))
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("CheckAddress(%+v) fields = %v; want %v (%+v)", a, got, want, CheckAddress(a))
			}
		})
	}
}
