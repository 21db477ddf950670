package orders

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/store"
)

// Problem is one thing that stops an order from being placed, named by its field
// ("address.full_name", "lines[0].quantity") with the fix in plain words.
type Problem = store.OrderProblem

var (
	digitsOnly = regexp.MustCompile(`\D`)
	natAddr    = regexp.MustCompile(`^[A-Z]{4}[0-9]{4}$`)
)

func digits(s string) string { return digitsOnly.ReplaceAllString(s, "") }

func runes(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }

// lettersWithSpace reports whether s is letters (and spaces, hyphens, apostrophes) with at least
// one space between two words.
func lettersWithSpace(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, " ") {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '\'' {
			return false
		}
	}
	return true
}

// cpfValid checks a Brazilian CPF: 11 digits, not all the same, with both check digits right.
func cpfValid(s string) bool {
	d := digits(s)
	if len(d) != 11 || strings.Count(d, d[:1]) == 11 {
		return false
	}
	for _, n := range []int{9, 10} {
		sum := 0
		for i := range n {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		check := sum * 10 % 11 % 10
		if check != int(d[n]-'0') {
			return false
		}
	}
	return true
}

// CheckAddress checks an address against what ds.order.create needs and the country rules of the
// platform (reference 6.6), and names every field that breaks one with its fix.
func CheckAddress(a store.OrderAddress) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: "address." + field, Message: fmt.Sprintf(format, args...)})
	}
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	for _, f := range []struct{ name, v, label string }{
		{"full_name", a.FullName, "the recipient's name"}, {"address", a.Address, "the street address"},
		{"city", a.City, "the city"}, {"province", a.Province, "the province or state"}, {"country", a.Country, "the country"},
	} {
		if strings.TrimSpace(f.v) == "" {
			add(f.name, "%s is required", strings.ToUpper(f.label[:1])+f.label[1:])
		}
	}
	if country != "" && (len(country) != 2 || strings.ToUpper(country) != country || !isLetters(country)) {
		add("country", "Give the country as its two-letter code, e.g. US")
		return ps
	}
	phone := digits(a.Phone)
	switch country {
	case "US":
		if n := runes(a.FullName); a.FullName != "" && (n < 2 || n > 32 || !strings.Contains(strings.TrimSpace(a.FullName), " ")) {
			add("full_name", "For the United States the name needs a first and a last name separated by a space, 2 to 32 characters")
		}
		if n := runes(a.Address); a.Address != "" && (n < 5 || n > 35) {
			add("address", "For the United States the street address must be 5 to 35 characters (it has %d); put the rest in address2", n)
		}
		if strings.EqualFold(strings.TrimSpace(a.Province), "other") {
			add("province", "For the United States choose the state; \"Other\" is refused")
		}
	case "BR":
		if !cpfValid(a.CPF) {
			add("cpf", "Brazil needs the recipient's CPF: 11 digits with valid check digits")
		}
		if a.FullName != "" && !strings.Contains(strings.TrimSpace(a.FullName), " ") {
			add("full_name", "Brazil needs the recipient's full name, first and last")
		}
		if d := digits(a.Zip); len(d) != 8 {
			add("zip", "A Brazilian CEP has 8 digits")
		}
		if strings.EqualFold(strings.TrimSpace(a.City), "other") {
			add("city", "Brazil needs the real delivery city; \"Other\" is refused")
		}
	case "ES":
		if len(phone) != 9 {
			add("phone", "For Spain the phone number must be exactly 9 digits, without +34")
		}
	case "SA":
		if !natAddr.MatchString(strings.ToUpper(strings.TrimSpace(a.NatAddr))) {
			add("nat_addr", "Saudi Arabia needs the national short address: 4 letters and 4 digits, e.g. RRRD2929")
		}
		if len(phone) != 9 || !strings.HasPrefix(phone, "5") {
			add("phone", "For Saudi Arabia the mobile number must be 9 digits starting with 5")
		}
		if n := runes(a.FullName); a.FullName != "" && (n < 2 || n > 128 || !strings.Contains(strings.TrimSpace(a.FullName), " ")) {
			add("full_name", "For Saudi Arabia the name needs a first and a last name separated by a space, 2 to 128 characters")
		}
		if n := runes(a.Address); a.Address != "" && (n < 5 || n > 256) {
			add("address", "For Saudi Arabia the street address must be 5 to 256 characters (it has %d)", n)
		}
		for _, f := range []struct{ name, v string }{{"city", a.City}, {"province", a.Province}} {
			if n := runes(f.v); f.v != "" && (n < 2 || n > 64) {
				add(f.name, "For Saudi Arabia the %s must be 2 to 64 characters", f.name)
			}
		}
		if z := strings.TrimSpace(a.Zip); runes(z) < 1 || runes(z) > 10 || strings.Trim(z, "0123456789 -") != "" {
			add("zip", "Saudi Arabia needs the postal code: up to 10 digits")
		}
	case "AU", "NZ":
		if a.FullName != "" && !lettersWithSpace(a.FullName) {
			add("full_name", "For %s the name must be letters only, first and last name separated by a space", country)
		}
	case "DZ", "ZA":
		if a.FullName != "" && !strings.Contains(strings.TrimSpace(a.FullName), " ") {
			add("full_name", "For %s the name needs a first and a last name separated by a space", country)
		}
	case "MX":
		if n := runes(a.Address2); n > 60 {
			add("address2", "For Mexico address2 may have at most 60 characters (it has %d)", n)
		}
	case "AR":
		if len(phone) != 10 {
			add("phone", "For Argentina the mobile number must be 10 digits (area code and number, without +54)")
		}
		if _, ok := taxID("AR", a.TaxNumber); !ok {
			add("tax_number", "Argentina needs the recipient's CUIT or CUIL as tax_number: 11 digits, e.g. 20-12345678-6 (a DNI alone is refused)")
		}
	case "IL":
		if _, ok := taxID("IL", a.TaxNumber); !ok {
			add("tax_number", "Israel needs the recipient's ID number as tax_number: 9 digits, leading zeros included")
		}
	case "CL":
		if strings.TrimSpace(a.RutNo) == "" {
			add("rut_no", "Chile needs the recipient's RUT")
		}
	}
	return ps
}

// taxID writes a tax ID in the form the platform takes for country (Israel: 9 digits; Argentina:
// NN-NNNNNNNN-N), from what the user typed, and reports whether it has the right number of digits.
// Typed separators (spaces, dots, hyphens) do not matter; anything else does.
func taxID(country, typed string) (string, bool) {
	typed = strings.TrimSpace(typed)
	if strings.Trim(typed, "0123456789 .-") != "" {
		return "", false
	}
	d := digits(typed)
	switch {
	case country == "IL" && len(d) == 9:
		return d, true
	case country == "AR" && len(d) == 11:
		return d[:2] + "-" + d[2:10] + "-" + d[10:], true
	}
	return "", false
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
