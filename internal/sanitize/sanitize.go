// Package sanitize makes AliExpress's untrusted description HTML safe to show on a page and to put
// in a store file: one allow-list, one tokenizer (golang.org/x/net/html, the HTML5 rules a
// browser uses), for every place a description goes. Text turns the same untrusted markup into
// plain text, for the one-line fields (titles, names) of store files.
//
// A description's images are loaded by every browser that shows it, so they are kept only from
// the hosts an image policy allows: by default AliExpress's own image CDNs (AliExpressImage).
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

// Options are the choices of a sanitizer beyond its fixed allow-list.
type Options struct {
	// ImageAllowed reports whether a description image at u, an absolute http(s) URL, is kept;
	// nil means AliExpressImage. An http image whose https form is allowed is kept as https.
	ImageAllowed func(u *url.URL) bool
	// ImageURL, when set, rewrites the source of every image the policy keeps, in descriptions
	// and through Image: a page serves the simulator's pictures through the app's own origin.
	ImageURL func(src string) string
	// EmptyAlt gives a description image without alt text an empty one: a picture the seller
	// described in no words is decorative to a screen reader, which would otherwise read out its
	// file name. Pages want it; store files keep the seller's markup as it was.
	EmptyAlt bool
}

// AliExpressImageDomains are the domains whose subdomains serve AliExpress's product and
// description images (ae01.alicdn.com, ae-pic-a1.aliexpress-media.com, ...).
func AliExpressImageDomains() []string {
	return []string{"alicdn.com", "aliexpress-media.com", "aliexpress.com", "aliimg.com"}
}

// AliExpressImage reports whether u is an image on AliExpress's own CDNs: https, on the default
// port, with no user info, on a subdomain of one of AliExpressImageDomains. It is the default
// image policy, and matches the https://*.<domain> sources of a Content-Security-Policy.
func AliExpressImage(u *url.URL) bool {
	if u.Scheme != "https" || u.User != nil || (u.Port() != "" && u.Port() != "443") {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range AliExpressImageDomains() {
		if strings.HasSuffix(host, "."+d) && len(host) > len(d)+1 {
			return true
		}
	}
	return false
}

// Image returns src as a page may load it as an image: an absolute http(s) URL
// (protocol-relative ones become https) that o's image policy allows, upgraded to https when only
// that form is allowed; "" for anything else. It is the rule HTML applies to <img src>, for the
// images a page shows outside descriptions.
func (o Options) Image(src string) string {
	src = safeLink(src)
	if src == "" {
		return ""
	}
	allowed := o.ImageAllowed
	if allowed == nil {
		allowed = AliExpressImage
	}
	src = allowedImage(src, allowed)
	if src != "" && o.ImageURL != nil {
		src = o.ImageURL(src)
	}
	return src
}

// HTML sanitizes s with the default Options: description images only from AliExpress's CDNs.
func HTML(s string) string { return Options{}.HTML(s) }

// HTML turns AliExpress description HTML into HTML that is safe to put on a page or in a store:
// only allowedTags survive, with only their allowed attributes; links keep only absolute http(s)
// URLs (protocol-relative ones become https); an image goes altogether unless its source is an
// absolute http(s) URL that o's image policy allows; invalid UTF-8 becomes U+FFFD; links open in
// a new tab with rel="nofollow noopener"; comments, doctypes and control characters (but newline
// and tab) go; every text and attribute is re-escaped and every element closed.
func (o Options) HTML(s string) string {
	imageAllowed := o.ImageAllowed
	if imageAllowed == nil {
		imageAllowed = AliExpressImage
	}
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
			kept, ok := keepAttrs(name, tok.Attr, attrs, imageAllowed)
			if !ok {
				continue
			}
			if name == "img" {
				kept = o.pageImage(kept)
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

// pageImage applies ImageURL and EmptyAlt to the kept attributes of an image.
func (o Options) pageImage(attrs []html.Attribute) []html.Attribute {
	alt := false
	for i, a := range attrs {
		switch a.Key {
		case "src":
			if o.ImageURL != nil {
				attrs[i].Val = o.ImageURL(a.Val)
			}
		case "alt":
			alt = true
		}
	}
	if o.EmptyAlt && !alt {
		attrs = append(attrs, html.Attribute{Key: "alt", Val: ""})
	}
	return attrs
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
// (an image without a safe source, or from a host imageAllowed refuses).
func keepAttrs(tag string, attrs []html.Attribute, allowed []string, imageAllowed func(*url.URL) bool) ([]html.Attribute, bool) {
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
			if tag == "img" {
				if val = allowedImage(val, imageAllowed); val == "" {
					return nil, false // an image from elsewhere goes whole, or a later src could stand in
				}
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

// allowedImage returns src when allowed accepts it, its https form when src is http and allowed
// accepts that instead, and "" otherwise.
func allowedImage(src string, allowed func(*url.URL) bool) string {
	u, err := url.Parse(src)
	if err != nil {
		return ""
	}
	if allowed(u) {
		return src
	}
	if u.Scheme == "http" {
		u.Scheme = "https"
		if allowed(u) {
			return u.String()
		}
	}
	return ""
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

// blockTags separate words: dropping them leaves a space, where dropping an inline tag leaves
// nothing ("<b>Super</b>Star" is "SuperStar", "Red<br>Blue" is "Red Blue").
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "tr": true, "td": true, "th": true, "hr": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true, "ol": true,
	"table": true, "blockquote": true, "dt": true, "dd": true, "img": true,
}

// Text returns the plain text of s, a title, name or option value from AliExpress that may hold
// markup, for a field that stores print as they are (WooCommerce prints product names
// unescaped): tags and comments go, the content of script, style and the other droppedTags with
// them; entities are decoded; markup that decoding reveals ("&lt;script&gt;") goes too, so that
// no '<' that could start a tag is left. Invalid UTF-8 becomes U+FFFD; spacing is left to the
// caller. Text without '<' or '&' comes back unchanged.
func Text(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	for range 4 {
		s = stripTags(s)
		if !hasTagStart(s) {
			return s
		}
	}
	// Markup nested in entities more deeply than any real title: drop what could open a tag.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && tagStartAt(s, i) {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// stripTags is one pass of Text: the decoded text of s without tags, comments or dropped content.
func stripTags(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip, skipTag := 0, ""
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
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
			b.WriteString(tok.Data)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			if tt == html.StartTagToken && droppedTags[tok.Data] && !voidDropped(tok.Data) {
				skip, skipTag = 1, tok.Data
			}
			if blockTags[tok.Data] {
				b.WriteByte(' ')
			}
		}
	}
}

// hasTagStart reports whether s holds a '<' that an HTML parser would read as the start of a tag,
// an end tag, a comment or a processing instruction.
func hasTagStart(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0; {
		if tagStartAt(s, i) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func tagStartAt(s string, i int) bool {
	if i+1 >= len(s) {
		return false
	}
	c := s[i+1]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}
