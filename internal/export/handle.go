package export

import (
	"strconv"
	"strings"
)

// maxHandle is the longest handle Shopify takes.
const maxHandle = 255

// Handle returns the Shopify URL handle for a title: ASCII lowercase letters and digits, with
// one hyphen between words. Common accented Latin letters lose their accents ("Café" → "cafe");
// other characters separate words. A title with nothing left gives "aliexpress-<id>". The result
// is at most 255 characters; uniqueness within a file is the writer's job.
func Handle(title string, productID int64) string {
	var b strings.Builder
	hyphen := false
	for _, r := range title {
		var s string
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			s = string(r)
		case r >= 'A' && r <= 'Z':
			s = string(r + 'a' - 'A')
		default:
			s = fold[r]
		}
		if s == "" {
			hyphen = b.Len() > 0
			continue
		}
		need := len(s)
		if hyphen {
			need++
		}
		if b.Len()+need > maxHandle {
			// Stop at a word boundary rather than mid-word, unless that loses too much.
			h := b.String()
			if i := strings.LastIndexByte(h, '-'); !hyphen && i > maxHandle/2 {
				return h[:i]
			}
			return h
		}
		if hyphen {
			b.WriteByte('-')
			hyphen = false
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return "aliexpress-" + strconv.FormatInt(productID, 10)
	}
	return b.String()
}

// fold maps accented Latin letters to plain ones for handles.
var fold = func() map[rune]string {
	m := map[rune]string{}
	for plain, letters := range map[string]string{
		"a": "àáâãäåāăąÀÁÂÃÄÅĀĂĄ", "c": "çćĉċčÇĆĈĊČ", "d": "ďđĎĐ", "e": "èéêëēĕėęěÈÉÊËĒĔĖĘĚ",
		"g": "ĝğġģĜĞĠĢ", "h": "ĥħĤĦ", "i": "ìíîïĩīĭįıÌÍÎÏĨĪĬĮİ", "j": "ĵĴ", "k": "ķĶ",
		"l": "ĺļľŀłĹĻĽĿŁ", "n": "ñńņňÑŃŅŇ", "o": "òóôõöøōŏőÒÓÔÕÖØŌŎŐ", "r": "ŕŗřŔŖŘ",
		"s": "śŝşšŚŜŞŠ", "t": "ţťŧŢŤŦ", "u": "ùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲ", "w": "ŵŴ", "y": "ýÿŷÝŸŶ",
		"z": "źżžŹŻŽ", "ss": "ß", "ae": "æÆ", "oe": "œŒ", "th": "þÞ", "dh": "ðÐ",
	} {
		for _, r := range letters {
			m[r] = plain
		}
	}
	return m
}()

// handles hands out handles unique within one file. It keeps a 64-bit hash per handle, so a
// file of a million products costs some tens of megabytes at most; a hash collision (about one in
// 10^7 for a million handles) only adds an unneeded "-2".
type handles struct {
	used idSet
	next map[uint64]int // for a base handle that was taken: the suffix to try next
}

func newHandles() *handles {
	return &handles{used: idSet{}, next: map[uint64]int{}}
}

// assign returns base, or base-2, base-3… when taken, within maxHandle characters.
func (h *handles) assign(base string) string {
	key := hashString(base)
	if h.used.add(key) {
		return base
	}
	n := h.next[key]
	if n == 0 {
		n = 2
	}
	for ; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		stem := base
		if len(stem)+len(suffix) > maxHandle {
			stem = strings.TrimRight(stem[:maxHandle-len(suffix)], "-")
		}
		c := stem + suffix
		if h.used.add(hashString(c)) {
			h.next[key] = n + 1
			return c
		}
	}
}
