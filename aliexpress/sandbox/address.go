package sandbox

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
