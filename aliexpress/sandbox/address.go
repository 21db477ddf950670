package sandbox

import (
	"strings"
	"unicode/utf8"
)

// provinces lists the first-level divisions ds.address.get answers with, as "code|name", for the
// markets dropshippers ship to most. Other countries answer an empty list.
var provinces = map[string][]string{
	"US": {
		"AL|Alabama", "AK|Alaska", "AZ|Arizona", "AR|Arkansas", "CA|California", "CO|Colorado",
		"CT|Connecticut", "DE|Delaware", "DC|District of Columbia", "FL|Florida", "GA|Georgia", "HI|Hawaii",
		"ID|Idaho", "IL|Illinois", "IN|Indiana", "IA|Iowa", "KS|Kansas", "KY|Kentucky", "LA|Louisiana",
		"ME|Maine", "MD|Maryland", "MA|Massachusetts", "MI|Michigan", "MN|Minnesota", "MS|Mississippi",
		"MO|Missouri", "MT|Montana", "NE|Nebraska", "NV|Nevada", "NH|New Hampshire", "NJ|New Jersey",
		"NM|New Mexico", "NY|New York", "NC|North Carolina", "ND|North Dakota", "OH|Ohio", "OK|Oklahoma",
		"OR|Oregon", "PA|Pennsylvania", "RI|Rhode Island", "SC|South Carolina", "SD|South Dakota",
		"TN|Tennessee", "TX|Texas", "UT|Utah", "VT|Vermont", "VA|Virginia", "WA|Washington",
		"WV|West Virginia", "WI|Wisconsin", "WY|Wyoming",
	},
	"BR": {
		"AC|Acre", "AL|Alagoas", "AP|Amapa", "AM|Amazonas", "BA|Bahia", "CE|Ceara", "DF|Distrito Federal",
		"ES|Espirito Santo", "GO|Goias", "MA|Maranhao", "MT|Mato Grosso", "MS|Mato Grosso do Sul",
		"MG|Minas Gerais", "PA|Para", "PB|Paraiba", "PR|Parana", "PE|Pernambuco", "PI|Piaui",
		"RJ|Rio de Janeiro", "RN|Rio Grande do Norte", "RS|Rio Grande do Sul", "RO|Rondonia", "RR|Roraima",
		"SC|Santa Catarina", "SP|Sao Paulo", "SE|Sergipe", "TO|Tocantins",
	},
	"ES": {
		"AN|Andalucia", "AR|Aragon", "AS|Asturias", "IB|Baleares", "CN|Canarias", "CB|Cantabria",
		"CL|Castilla y Leon", "CM|Castilla-La Mancha", "CT|Cataluna", "EX|Extremadura", "GA|Galicia",
		"MD|Madrid", "MC|Murcia", "NC|Navarra", "PV|Pais Vasco", "RI|La Rioja", "VC|Valencia",
	},
	"GB": {"ENG|England", "NIR|Northern Ireland", "SCT|Scotland", "WLS|Wales"},
	"CA": {
		"AB|Alberta", "BC|British Columbia", "MB|Manitoba", "NB|New Brunswick", "NL|Newfoundland and Labrador",
		"NS|Nova Scotia", "NT|Northwest Territories", "NU|Nunavut", "ON|Ontario", "PE|Prince Edward Island",
		"QC|Quebec", "SK|Saskatchewan", "YT|Yukon",
	},
	"AU": {
		"ACT|Australian Capital Territory", "NSW|New South Wales", "NT|Northern Territory", "QLD|Queensland",
		"SA|South Australia", "TAS|Tasmania", "VIC|Victoria", "WA|Western Australia",
	},
	"DE": {
		"BW|Baden-Wurttemberg", "BY|Bayern", "BE|Berlin", "BB|Brandenburg", "HB|Bremen", "HH|Hamburg",
		"HE|Hessen", "MV|Mecklenburg-Vorpommern", "NI|Niedersachsen", "NW|Nordrhein-Westfalen",
		"RP|Rheinland-Pfalz", "SL|Saarland", "SN|Sachsen", "ST|Sachsen-Anhalt", "SH|Schleswig-Holstein",
		"TH|Thuringen",
	},
	"FR": {
		"ARA|Auvergne-Rhone-Alpes", "BFC|Bourgogne-Franche-Comte", "BRE|Bretagne", "CVL|Centre-Val de Loire",
		"COR|Corse", "GES|Grand Est", "HDF|Hauts-de-France", "IDF|Ile-de-France", "NOR|Normandie",
		"NAQ|Nouvelle-Aquitaine", "OCC|Occitanie", "PDL|Pays de la Loire", "PAC|Provence-Alpes-Cote d'Azur",
	},
	"MX": {
		"AGU|Aguascalientes", "BCN|Baja California", "CHH|Chihuahua", "CMX|Ciudad de Mexico", "JAL|Jalisco",
		"MEX|Estado de Mexico", "NLE|Nuevo Leon", "PUE|Puebla", "QUE|Queretaro", "VER|Veracruz", "YUC|Yucatan",
	},
}

// --- ds.order.create address rules -----------------------------------------------------------------

// The rules below are the ones the DS changelog publishes (reference §6.6, which summarises it):
// address, city, province and country are required everywhere, and some countries add their own.
// Names and phone numbers are optional except where a country's rule asks for them. Where the
// changelog gives no error message, the Sandbox writes one in the platform's style; the code is
// always B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL, or a CPF code for Brazil's CPF.

const (
	addressFail   = "B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL"
	cpfInvalid    = "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_CN_INVALID"
	cpfNotMatch   = "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_NOT_MATCH"
	msgPhone      = "Please enter the country code and phone number without any spaces or special characters"
	msgProvince   = "Please select a State/Province/County"
	msgCity       = "Please enter a City"
	msgFirstLast  = "Please enter the recipient's first and last name, separated by a space"
	msgNameLength = "Please enter between 2 - 32 characters"
)

// addressCheck is the outcome of the address rules: a failure's code and message, or "" for none.
type addressCheck struct{ code, msg string }

func fail(msg string) addressCheck { return addressCheck{addressFail, msg} }

// validateAddress applies the general and per-country rules to an order's logistics_address;
// natAddr is ds_extend_request.trade_extra_param.nat_addr (Saudi Arabia).
func (s *Sandbox) validateAddress(a orderAddress, natAddr string) addressCheck {
	get := func(f flexString) string { return strings.TrimSpace(string(f)) }
	country := strings.ToUpper(get(a.Country))
	address, city, province := get(a.Address), get(a.City), get(a.Province)
	fullName, contact := get(a.FullName), get(a.ContactPerson)
	mobile, phoneCountry := get(a.MobileNo), get(a.PhoneCountry)
	switch {
	case !isCountry(country):
		return fail("Please select a Country/Region")
	case address == "":
		return fail("Please enter an address")
	case city == "":
		return fail(msgCity)
	case province == "":
		return fail(msgProvince)
	}
	if country != "SA" {
		// The documented example sends phone_country "+1": a plus and digits.
		pc := strings.TrimPrefix(phoneCountry, "+")
		if (mobile != "" && !allDigits(mobile)) || (phoneCountry != "" && (!allDigits(pc) || len(pc) > 7)) {
			return fail(msgPhone)
		}
	}
	switch country {
	case "US":
		// Jan 2025: contact_person and full_name hold a space and 2-32 characters; address 5-35.
		if c := namesWithSpace(fullName, contact, 2, 32, msgNameLength); c.code != "" {
			return c
		}
		if n := runes(address); n < 5 || n > 35 {
			return fail("Please enter between 5 - 35 characters")
		}
		if strings.EqualFold(province, "Other") { // Aug 2025
			return fail(msgProvince)
		}
	case "BR":
		// Feb 2025: CPF and full name checked against the Receita Federal; Mar 2025: zip and
		// province; Apr 2025: city must not be "Other".
		cpf := get(a.CPF)
		switch {
		case cpf == "":
			return addressCheck{cpfInvalid, "Please enter a CPF number"}
		case !validCPF(cpf):
			return addressCheck{cpfInvalid, "Please enter a valid CPF number"}
		case fullName == "" || !strings.Contains(fullName, " "):
			return fail("Please enter the recipient's full name")
		case !s.cpfMatches(cpf, fullName):
			return addressCheck{cpfNotMatch, "The CPF does not match the recipient's full name"}
		case !knownProvince("BR", province):
			return fail(msgProvince)
		case strings.EqualFold(city, "Other"):
			return fail(msgCity)
		}
		if zip := strings.ReplaceAll(get(a.Zip), "-", ""); len(zip) != 8 || !allDigits(zip) {
			return fail("Please enter a valid 8-digit ZIP code")
		}
	case "ES":
		if len(mobile) != 9 { // Oct 2024
			return fail("Please enter a 9-digit phone number")
		}
	case "SA":
		// Apr 2025 (Arabic support) and Nov 2025 (nat_addr).
		if c := saudiAddress(address, city, province, get(a.Zip), fullName, contact, mobile, phoneCountry, natAddr); c.code != "" {
			return c
		}
	case "AU", "NZ":
		// Dec 2024: full_name of English letters, 2-128 characters, first and last name.
		if n := runes(fullName); n < 2 || n > 128 || !lettersWithSpace(fullName) {
			return fail("Please enter the full name in English letters only, with a space between first and last name")
		}
	case "IL", "AR":
		// Aug 2025: the tax ID goes in passport_no for a local customer (is_foreigner "false",
		// which must be sent) and in foreigner_passport_no for a foreigner.
		if a.IsForeigner == nil {
			return fail(`Please fill in is_foreigner ("false" for a local customer)`)
		}
		field, tax := "passport_no", get(a.PassportNo)
		if *a.IsForeigner {
			field, tax = "foreigner_passport_no", get(a.ForeignerPassportNo)
		}
		if country == "IL" && (len(tax) != 9 || !allDigits(tax)) {
			return fail("Please enter the 9-digit Israeli ID number in " + field)
		}
		if country == "AR" {
			if !validCUIT(tax) {
				return fail("Please enter the tax ID in " + field + " as 11 digits with hyphens, e.g. 20-12345678-6")
			}
			if len(mobile) != 10 { // Aug 2025
				return fail("Please enter a 10-digit mobile number")
			}
		}
	case "DZ", "ZA":
		if !strings.Contains(fullName, " ") { // Aug 2025
			return fail(msgFirstLast)
		}
	case "MX":
		if runes(get(a.Address2)) > 60 { // Aug 2025
			return fail("Please enter no more than 60 characters")
		}
	}
	return addressCheck{}
}

// saudiAddress applies Saudi Arabia's rules.
func saudiAddress(address, city, province, zip, fullName, contact, mobile, phoneCountry, natAddr string) addressCheck {
	if !validNatAddr(strings.ToUpper(strings.TrimSpace(natAddr))) { // lowercase is taken as uppercase
		return fail("Please enter a valid national short address (4 capital letters and 4 digits)")
	}
	if c := namesWithSpace(fullName, contact, 2, 128, "Please enter between 2 - 128 characters"); c.code != "" {
		return c
	}
	if n := runes(phoneCountry); n > 8 || (phoneCountry != "" && strings.Trim(phoneCountry, "0123456789 +()-/") != "") {
		return fail(msgPhone)
	}
	digits := strings.ReplaceAll(mobile, "-", "")
	if len(digits) != 9 || !allDigits(digits) || digits[0] != '5' {
		return fail("Please enter a 9-digit mobile number starting with 5")
	}
	for _, v := range []string{province, city} {
		if n := runes(v); n < 2 || n > 64 {
			return fail("Please enter between 2 - 64 characters")
		}
	}
	if n := runes(address); n < 5 || n > 256 {
		return fail("Please enter between 5 - 256 characters")
	}
	if n := runes(zip); n < 1 || n > 10 || strings.Trim(zip, "0123456789 -") != "" {
		return fail("Please enter a valid ZIP code")
	}
	return addressCheck{}
}

// namesWithSpace checks full_name and contact_person where a country wants first and last name:
// at least one of them, each one given with a space and lo to hi characters.
func namesWithSpace(fullName, contact string, lo, hi int, lengthMsg string) addressCheck {
	if fullName == "" && contact == "" {
		return fail(msgFirstLast)
	}
	for _, n := range []string{fullName, contact} {
		if n == "" {
			continue
		}
		if l := runes(n); l < lo || l > hi {
			return fail(lengthMsg)
		}
		if !strings.Contains(n, " ") {
			return fail(msgFirstLast)
		}
	}
	return addressCheck{}
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// lettersWithSpace reports whether s is English letters in two or more words split by single spaces.
func lettersWithSpace(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || strings.Join(words, " ") != s {
		return false
	}
	for _, w := range words {
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

// knownProvince reports whether province names (or codes) one of the first-level divisions
// ds.address.get gives for country, ignoring case and Portuguese and Spanish accents.
func knownProvince(country, province string) bool {
	want := foldName(province)
	for _, p := range provinces[country] {
		code, name, _ := strings.Cut(p, "|")
		if want == foldName(code) || want == foldName(name) {
			return true
		}
	}
	return false
}

var accents = strings.NewReplacer("á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i",
	"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ü", "u", "ç", "c", "ñ", "n")

// foldName lowercases a name, drops accents and collapses white space, for comparing names.
func foldName(s string) string {
	return strings.Join(strings.Fields(accents.Replace(strings.ToLower(s))), " ")
}

// validCPF checks a Brazilian CPF's check digits (punctuation allowed).
func validCPF(v string) bool {
	d := cpfDigits(v)
	if len(d) != 11 {
		return false
	}
	if strings.Count(d, d[:1]) == len(d) {
		return false // 000.000.000-00 and the like pass the check digits but are not issued
	}
	for n := 9; n <= 10; n++ {
		sum := 0
		for i := 0; i < n; i++ {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		if check := sum * 10 % 11 % 10; check != int(d[n]-'0') {
			return false
		}
	}
	return true
}

// cpfDigits returns the digits of a CPF written with dots, hyphens or spaces; "" when it holds
// anything else.
func cpfDigits(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == '-' || r == ' ':
		default:
			return ""
		}
	}
	return b.String()
}

// RegisterCPF records the full name that the Brazilian tax register holds for a CPF. ds.order.create
// then refuses an order to Brazil whose full_name differs from it (ignoring case, accents and extra
// spaces) with B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_NOT_MATCH. A valid CPF the Sandbox does not know
// matches any name.
func (s *Sandbox) RegisterCPF(cpf, fullName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cpfs == nil {
		s.cpfs = make(map[string]string)
	}
	s.cpfs[cpfDigits(cpf)] = foldName(fullName)
}

func (s *Sandbox) cpfMatches(cpf, fullName string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, known := s.cpfs[cpfDigits(cpf)]
	return !known || name == foldName(fullName)
}

// validCUIT checks an Argentine tax ID (CUIT/CUIL) in the form the changelog asks for: 11 digits as
// NN-NNNNNNNN-N.
func validCUIT(v string) bool {
	parts := strings.Split(v, "-")
	return len(parts) == 3 && len(parts[0]) == 2 && len(parts[1]) == 8 && len(parts[2]) == 1 &&
		allDigits(parts[0]) && allDigits(parts[1]) && allDigits(parts[2])
}

// validNatAddr checks a Saudi national short address: 4 capital letters then 4 digits.
func validNatAddr(v string) bool {
	if len(v) != 8 {
		return false
	}
	for i := 0; i < 4; i++ {
		if v[i] < 'A' || v[i] > 'Z' {
			return false
		}
	}
	return allDigits(v[4:])
}
