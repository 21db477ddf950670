// Package sanitize makes AliExpress's untrusted description HTML safe to show on a page and to put
// in a store file: one allow-list, one tokenizer (golang.org/x/net/html, the HTML5 rules a
// browser uses), for every place a description goes.
package sanitize

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// maxDescription caps the description HTML that is sanitized; the rest is dropped.
const maxDescription = 256 << 10

// allowedTags are the elements a sanitized description keeps, with the attributes each may carry
// (beyond those, attributes are dropped). Everything else loses its tag but keeps its text, except
// droppedTags, which go with all they contain.
var allowedTags = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "div": nil, "span": nil,
	"b": nil, "strong": nil, "i": nil, "em": nil, "u": nil, "s": nil, "strike": nil, "small": nil,
	"sub": nil, "sup": nil, "blockquote": nil, "pre": nil, "code": nil,
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"ul": nil, "ol": nil, "li": nil, "dl": nil, "dt": nil, "dd": nil,
	"table": nil, "thead": nil, "tbody": nil, "tfoot": nil, "tr": nil, "caption": nil,
	"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
	"figure": nil, "figcaption": nil,
	"img": {"src", "alt", "title", "width", "height"},
	"a":   {"href", "title"},
}

// droppedTags are removed with everything inside them.
var droppedTags = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "form": true, "input": true, "button": true, "select": true,
	"textarea": true, "option": true, "noscript": true, "template": true, "svg": true, "math": true,
	"head": true, "title": true, "meta": true, "link": true, "base": true, "audio": true,
	"video": true, "source": true, "track": true, "canvas": true, "xmp": true, "noembed": true,
	"noframes": true, "plaintext": true, "param": true, "dialog": true, "portal": true,
}

var voidTags = map[string]bool{"br": true, "hr": true, "img": true}

// maxDepth caps the nesting of kept elements; deeper tags are dropped (their text stays).
const maxDepth = 64

// HTML turns AliExpress description HTML into HTML that is safe to put on a page or in a store:
// only allowedTags survive, with only their allowed attributes; links and images keep only
// absolute http(s) URLs (protocol-relative ones become https), and an image without one goes
// altogether; invalid UTF-8 becomes U+FFFD; links open in a new tab with rel="nofollow noopener"; comments, doctypes and control
// characters (but newline and tab) go; every text and attribute is re-escaped and every element closed.
func HTML(s string) string {
	if len(s) > maxDescription {
		s = s[:maxDescription]
	}
	s = strings.ToValidUTF8(s, "\uFFFD") // store files must be UTF-8
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string // the kept elements not yet closed
	skip, skipTag := 0, ""
	for {
		tt := z.Next()
		if tt == html.ErrorToken { // io.EOF, or input the tokenizer gives up on: stop either way
			break
		}
		tok := z.Token()
		if skip > 0 {
			switch {
			case tt == html.StartTagToken && tok.Data == skipTag:
				skip++
			case tt == html.EndTagToken && tok.Data == skipTag:
				skip--
			}
			continue
		}
		switch tt {
		case html.TextToken:
			b.WriteString(html.EscapeString(cleanText(tok.Data)))
		case html.StartTagToken, html.SelfClosingTagToken:
			name := tok.Data
			if droppedTags[name] {
				if tt == html.StartTagToken && !voidDropped(name) {
					skip, skipTag = 1, name
				}
				continue
			}
			attrs, ok := allowedTags[name]
			if !ok || len(open) >= maxDepth {
				continue
			}
			kept, ok := keepAttrs(name, tok.Attr, attrs)
			if !ok {
				continue
			}
			b.WriteString("<" + name)
			for _, a := range kept {
				b.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
			}
			b.WriteString(">")
			if !voidTags[name] {
				open = append(open, name)
			}
		case html.EndTagToken:
			name := tok.Data
			i := len(open) - 1
			for i >= 0 && open[i] != name {
				i--
			}
			if i < 0 {
				continue
			}
			for j := len(open) - 1; j >= i; j-- {
				b.WriteString("</" + open[j] + ">")
			}
			open = open[:i]
		}
		// Comments and doctypes are dropped.
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j] + ">")
	}
	return strings.TrimSpace(b.String())
}

// cleanText turns CRLF and lone CR line ends into LF and drops every other control character but
// tab (NUL, escape, ...).
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// voidDropped reports dropped elements that have no end tag, so that dropping them skips nothing
// after them.
func voidDropped(name string) bool {
	switch name {
	case "input", "meta", "link", "base", "source", "track", "param", "embed":
		return true
	}
	return false
}

// keepAttrs returns the attributes of a tag that survive, and false when the tag itself must go
// (an image without a safe source).
func keepAttrs(tag string, attrs []html.Attribute, allowed []string) ([]html.Attribute, bool) {
	var kept []html.Attribute
	seen := map[string]bool{}
	for _, a := range attrs {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" || seen[key] || !slices.Contains(allowed, key) {
			continue
		}
		val := a.Val
		switch key {
		case "src", "href":
			val = safeLink(val)
			if val == "" {
				continue
			}
		case "title", "alt":
			val = cleanText(val)
		case "width", "height", "colspan", "rowspan":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 1 || n > 4000 {
				continue
			}
			val = strconv.Itoa(n)
		}
		seen[key] = true
		kept = append(kept, html.Attribute{Key: key, Val: val})
	}
	switch tag {
	case "img":
		if !seen["src"] {
			return nil, false
		}
	case "a":
		kept = append(kept, html.Attribute{Key: "rel", Val: "nofollow noopener"}, html.Attribute{Key: "target", Val: "_blank"})
	}
	return kept, true
}

// safeLink returns an absolute http(s) URL for a description link or image, "" for anything else.
// AliExpress writes many image sources protocol-relative ("//ae01.alicdn.com/..."); those become
// https.
func safeLink(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	return URL(s)
}

// URL returns s when it is an absolute http(s) URL with a host, normalized; "" for anything else
// (javascript:, data:, relative and unparsable URLs, control characters).
func URL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.String()
}
