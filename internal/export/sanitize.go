package export

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
)

// SanitizeHTML returns a product description that is safe to put in a store: it keeps the text
// and a small allowlist of formatting elements and attributes, and drops everything else.
//
// It reads the HTML with golang.org/x/net/html's tokenizer (the HTML5 rules a browser uses, not
// regular expressions) and writes a new document from the tokens:
//   - script, style, iframe, object, embed, svg, math, template, form controls and the other
//     elements in dropped disappear together with their content;
//   - elements outside the allowlist (allowedTags) lose their tags but keep their text;
//   - attributes outside allowedAttrs go, among them every on* event handler, style and class;
//   - href and src keep only absolute http(s) URLs (href also mailto:), after entities are
//     decoded and the whitespace browsers ignore is removed, so javascript:, data: and
//     vbscript: URLs go however they are spelled;
//   - comments, doctypes and processing instructions go; text is escaped again.
//
// The result is not balanced HTML (an unclosed <b> stays unclosed); pages that show it must
// still escape or sanitize it for their own context.
func SanitizeHTML(s string) string {
	if s == "" {
		return ""
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	skip, depth := "", 0 // inside a dropped element: its name and nesting
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return strings.TrimSpace(cleanText(b.String()))
		case xhtml.TextToken:
			if skip == "" {
				b.WriteString(html.EscapeString(string(z.Text())))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if skip != "" {
				if tag == skip && tt == xhtml.StartTagToken {
					depth++
				}
				continue
			}
			if dropped[tag] {
				if tt == xhtml.StartTagToken && !voidTags[tag] {
					skip, depth = tag, 1
				}
				continue
			}
			if !allowedTags[tag] {
				continue
			}
			b.WriteByte('<')
			b.WriteString(tag)
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key, val, ok := safeAttr(tag, string(k), string(v))
				if !ok {
					continue
				}
				b.WriteByte(' ')
				b.WriteString(key)
				b.WriteString(`="`)
				b.WriteString(html.EscapeString(val))
				b.WriteByte('"')
			}
			b.WriteByte('>')
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skip != "" {
				if tag == skip {
					if depth--; depth == 0 {
						skip = ""
					}
				}
				continue
			}
			if allowedTags[tag] && !voidTags[tag] {
				b.WriteString("</")
				b.WriteString(tag)
				b.WriteByte('>')
			}
		}
	}
}

// safeAttr returns the attribute to write, or ok false to drop it.
func safeAttr(tag, key, val string) (string, string, bool) {
	switch key {
	case "href":
		if tag != "a" {
			return "", "", false
		}
		u := compactURL(val)
		if strings.HasPrefix(strings.ToLower(u), "mailto:") {
			return key, u, true
		}
		u = safeURL(u)
		return key, u, u != ""
	case "src":
		if tag != "img" {
			return "", "", false
		}
		u := safeURL(compactURL(val))
		return key, u, u != ""
	}
	if !allowedAttrs[key] {
		return "", "", false
	}
	return key, cleanLine(val), true
}

// compactURL removes what browsers skip inside a URL: ASCII whitespace and control characters.
func compactURL(u string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, u)
}

var allowedTags = set("a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "col", "colgroup",
	"dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4", "h5", "h6",
	"hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub",
	"sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul")

// dropped elements go with everything inside them: active content, foreign content that can
// carry script (svg, math), raw-text elements, and page-level elements a description has no
// business carrying.
var dropped = set("script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "param",
	"noscript", "noembed", "noframes", "template", "svg", "math", "plaintext", "xmp", "textarea",
	"title", "head", "base", "link", "meta", "form", "input", "button", "select", "option", "audio",
	"video", "source", "track", "canvas", "portal", "dialog")

// allowedAttrs besides href and src; none of them can carry a URL or script.
var allowedAttrs = set("alt", "title", "align", "valign", "width", "height", "dir", "lang", "colspan",
	"rowspan", "border", "cellpadding", "cellspacing", "color", "size", "face", "start")

var voidTags = set("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
	"source", "track", "wbr")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
