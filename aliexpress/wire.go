package aliexpress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The platform writes the same field as a number in live traffic and as a string in its generated
// documentation demos, and wraps lists in TOP-style objects ({"product": [...]}) or not. The types in
// this file read every form the reference lists (sections 4.3 and 4.4) so that decoding never fails
// on a harmless variation.

// flexInt is an integer that may arrive as 123, "123", "", or null.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Integers written as 12.0 by some generators.
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int64(f)) {
			*n = flexInt(int64(f))
			return nil
		}
		return fmt.Errorf("not an integer: %.40q", s)
	}
	*n = flexInt(v)
	return nil
}

// flexString is a string that may arrive as a JSON number or boolean too. Text is kept exactly as
// sent (untrusted titles must reach their escaping byte for byte).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	*s = flexString(t)
	return nil
}

// flexBool is a boolean that may arrive as true, "true", "Y", 1, "1" or "yes".
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "y", "yes", "1":
		*v = true
	case "false", "n", "no", "0", "":
		*v = false
	default:
		return fmt.Errorf("not a boolean: %.40q", s)
	}
	return nil
}

// flexFloat is a decimal that may arrive as 4.8, "4.8", "96.5%" or "".
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %.40q", s)
	}
	*f = flexFloat(v)
	return nil
}

// scalarText returns the text of a JSON string, number or boolean.
func scalarText(b []byte) (s string, isNull bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return "", true, nil
	}
	switch b[0] {
	case '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case '{', '[':
		return "", false, fmt.Errorf("want a scalar, got %.20s", b)
	}
	return string(b), false, nil
}

// list is a JSON list in any of the forms the platform uses: a bare array, a wrapper object with one
// key holding the array ({"product": [...]}), a wrapper holding a single element ({"product": {...}}),
// a lone element object, or nothing ({}, null, "").
type list[T any] []T

func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || string(b) == `""` || string(b) == "{}" {
		*l = nil
		return nil
	}
	switch b[0] {
	case '[':
		var items []T
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		*l = items
		return nil
	case '{':
		var wrapper map[string]json.RawMessage
		if err := json.Unmarshal(b, &wrapper); err != nil {
			return err
		}
		if len(wrapper) == 1 {
			for _, inner := range wrapper {
				inner = bytes.TrimSpace(inner)
				if len(inner) > 0 && inner[0] != '[' && inner[0] != '{' && string(inner) != "null" {
					// A wrapper holding one bare scalar: {"string": "https://..."}.
					var one T
					if err := json.Unmarshal(inner, &one); err == nil {
						*l = []T{one}
						return nil
					}
				}
				if len(inner) > 0 && (inner[0] == '[' || inner[0] == '{' || string(inner) == "null") {
					if len(inner) > 0 && inner[0] == '{' {
						// A wrapper holding one element; but a lone element with one object field
						// is read as that element if it does not decode as T's wrapper.
						var one T
						if err := json.Unmarshal(inner, &one); err == nil {
							*l = []T{one}
							return nil
						}
					}
					var items list[T]
					if err := json.Unmarshal(inner, &items); err != nil {
						return err
					}
					*l = items
					return nil
				}
			}
		}
		var one T
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = []T{one}
		return nil
	case '"':
		// A list of strings sent as one comma- or semicolon-separated string.
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		var items []T
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
			var item T
			q, _ := json.Marshal(strings.TrimSpace(part))
			if err := json.Unmarshal(q, &item); err != nil {
				return fmt.Errorf("list element %.40q: %w", part, err)
			}
			items = append(items, item)
		}
		*l = items
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = []T{one}
	return nil
}

// flexMoney is a price string read exactly into minor units once its currency is known.
type flexMoney string

func (m *flexMoney) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	*m = flexMoney(s)
	return nil
}

// money converts a price and its currency. An empty price is the zero Money; a price that does not
// parse is reported so that the caller can name the field.
func (m flexMoney) money(currency flexString) (Money, error) {
	if strings.TrimSpace(string(m)) == "" {
		return Money{}, nil
	}
	return ParseMoney(string(m), string(currency))
}

// splitList splits a ';' or ',' separated string into trimmed non-empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
