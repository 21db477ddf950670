package catalog

import "slices"

// Clone returns a copy of p that shares nothing a caller could change with it: its slices are
// copied all the way down (a nil slice stays nil, an empty one empty), its strings shared, as
// they cannot be changed. It does by hand what a reflective deep copy does, for the kept
// products handed out on every view.
func (p Product) Clone() Product {
	c := p
	c.Images = slices.Clone(p.Images)
	if p.Options != nil {
		c.Options = make([]Option, len(p.Options))
		for i, o := range p.Options {
			o.Values = slices.Clone(o.Values)
			c.Options[i] = o
		}
	}
	if p.Variants != nil {
		c.Variants = make([]Variant, len(p.Variants))
		for i, v := range p.Variants {
			v.Values = slices.Clone(v.Values)
			v.Shipping = slices.Clone(v.Shipping)
			c.Variants[i] = v
		}
	}
	c.Shipping = slices.Clone(p.Shipping)
	return c
}

// Clone returns a copy of q that shares nothing a caller could change with it.
func (q ShippingQuote) Clone() ShippingQuote {
	c := q
	c.Options = slices.Clone(q.Options)
	return c
}
