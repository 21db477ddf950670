package web

// country is a ship-to destination offered in the forms.
type country struct{ Code, Name string }

// countries are the destinations dropshippers sell to most, in the order the select shows them.
// Any other two-letter code still works in the URL.
var countries = []country{
	{"US", "United States"}, {"GB", "United Kingdom"}, {"CA", "Canada"}, {"AU", "Australia"},
	{"DE", "Germany"}, {"FR", "France"}, {"ES", "Spain"}, {"IT", "Italy"}, {"NL", "Netherlands"},
	{"BE", "Belgium"}, {"PL", "Poland"}, {"SE", "Sweden"}, {"NO", "Norway"}, {"DK", "Denmark"},
	{"FI", "Finland"}, {"IE", "Ireland"}, {"AT", "Austria"}, {"CH", "Switzerland"}, {"PT", "Portugal"},
	{"CZ", "Czechia"}, {"NZ", "New Zealand"}, {"BR", "Brazil"}, {"MX", "Mexico"}, {"CL", "Chile"},
	{"IL", "Israel"}, {"SA", "Saudi Arabia"}, {"AE", "United Arab Emirates"}, {"TR", "Türkiye"},
	{"JP", "Japan"}, {"KR", "South Korea"}, {"SG", "Singapore"}, {"TH", "Thailand"}, {"ZA", "South Africa"},
	{"UA", "Ukraine"},
}

// countryName is the name of a country code, or the code itself when it is not in countries.
func countryName(code string) string {
	for _, c := range countries {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}
