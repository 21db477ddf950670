package catalog

import (
	"fmt"
	"reflect"
	"testing"
)

// TestCloneSharesNothing fills every exported field of a Product and a ShippingQuote, slices
// included, and checks that no slice of the clone shares its elements with the original. A field
// added later without its line in Clone fails here.
func TestCloneSharesNothing(t *testing.T) {
	checkClone(t, "Product", Product.Clone)
	checkClone(t, "ShippingQuote", ShippingQuote.Clone)
}

// checkClone fills a T, clones it, and fails where the clone differs or shares a slice.
func checkClone[T any](t *testing.T, name string, clone func(T) T) {
	t.Helper()
	var v T
	fill(reflect.ValueOf(&v).Elem())
	c := clone(v)
	if !reflect.DeepEqual(c, v) {
		t.Errorf("%s.Clone differs from the original", name)
	}
	for _, path := range shared(reflect.ValueOf(v), reflect.ValueOf(c), name) {
		t.Errorf("%s.Clone shares %s with the original", name, path)
	}
}

// TestCloneKeepsNilAndEmpty: nil (not looked up) and empty (does not ship) mean different things.
func TestCloneKeepsNilAndEmpty(t *testing.T) {
	p := Product{Shipping: []ShippingOption{}, Variants: []Variant{{Shipping: []ShippingOption{}}, {}}}
	c := p.Clone()
	if c.Shipping == nil || c.Variants[0].Shipping == nil || c.Variants[1].Shipping != nil || c.Images != nil || c.Options != nil {
		t.Errorf("Clone changed nil or empty slices: %#v", c)
	}
}

// fill sets every exported field of v, giving each slice one filled element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint64:
		v.SetUint(1)
	case reflect.Float64:
		v.SetFloat(1)
	}
}

// shared lists the paths of the slices a and b share.
func shared(a, b reflect.Value, path string) []string {
	var out []string
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				out = append(out, shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for i := range min(a.Len(), b.Len()) {
			out = append(out, shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map, reflect.Pointer:
		out = append(out, path+" (a "+a.Kind().String()+": give Clone its copy, and this test its case)")
	}
	return out
}
