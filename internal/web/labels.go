package web

// fieldLabels are the labels the forms show for each query or form field, so that a message
// about bad input names what the user sees ("Min. price"), not the parameter (min_price).
var fieldLabels = map[string]string{
	"q":                 "Search",
	"category":          "Category",
	"min_price":         "Min. price",
	"max_price":         "Max. price",
	"min_rating":        "Minimum rating",
	"min_orders":        "Minimum orders (30 days)",
	"min_discount":      "Minimum discount %",
	"max_delivery_days": "Maximum delivery days",
	"free_shipping":     "Free shipping only",
	"ship_to":           "Ship to",
	"country":           "Ship to",
	"currency":          "Currency",
	"language":          "Language",
	"sort":              "Sort by",
	"page":              "Page",
	"page_size":         "Products per page",
	"view":              "View",
	"sell":              "Selling price",
	"rule":              "Markup rule",
	"fee_pct":           "Fee %",
	"fee_fixed":         "Fixed fee",
	"ad_cost":           "Ad cost / order",
	"min_margin":        "Min. margin %",
	"ids":               "Products",
	"urls":              "Links or IDs",
	"id":                "Product ID",
	"format":            "Format",
}

// fieldLabel is the label of field as the forms show it; the field's own name when no form has it.
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

// fieldID is the id of the input of field, which an error message links to.
func fieldID(field string) string {
	switch field {
	case "q", "urls":
		return field
	}
	return "f-" + field
}
