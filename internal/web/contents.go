package web

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/catalog"
)

// A page of cached data (a search's results, a product) is drawn in two parts: its content, the
// bulk of the bytes, which depends on the request and the data only, and the frame around it (the
// navigation, the banners, who is signed in), which is drawn on every request. The content is
// drawn once per key and kept in Server.contents; the key holds everything the content shows:
// the page, the query as given, a digest of the data (as the encoded JSON answers' keys do, so a
// stale result or another currency's never comes back as this one), and what of the viewer the
// content shows (the "Save to list" form of a signed-in user, whose lists are theirs alone).

// pageContent is a page's drawn content and what the frame shows of it.
type pageContent struct {
	body        []byte // valid UTF-8
	stale       bool
	staleReason string
	fetchedAt   time.Time
	skip        bool // the frame offers "Skip to results"
}

// maxPageContents bounds the contents kept: a search page's is some 60-80 KB, so about 30 MB.
const maxPageContents = 384

// contentSlot stands for the content while the frame is drawn: a page is the frame's bytes before
// it, the content, and the frame's bytes after it. NUL never comes out of the templates' escaping.
const contentSlot = template.HTML("\x00aliscout:content\x00")

// framed is a page's data: a pointer to a struct that embeds base, so that what is set on its frame
// is what the templates see.
type framed interface{ frame() *base }

func (b *base) frame() *base { return b }

// drawContent draws the content template of page name with data, for contents.
func (s *Server) drawContent(name string, data framed) (*pageContent, error) {
	b := data.frame()
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, contentTemplate(name), data); err != nil {
		return nil, err
	}
	body := buf.Bytes()
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return &pageContent{body: body, stale: b.Stale, staleReason: b.StaleReason, fetchedAt: b.FetchedAt, skip: b.SkipToResults}, nil
}

// renderContent writes page name: its frame, drawn now with data (or kept, see frameKey), around
// c. The frame shows c's staleness and fetch time.
func (s *Server) renderContent(w http.ResponseWriter, r *http.Request, status int, name string, data framed, c *pageContent) {
	b := data.frame()
	b.Content = contentSlot
	b.Stale, b.StaleReason, b.FetchedAt, b.SkipToResults = c.stale, c.staleReason, c.fetchedAt, c.skip
	key := frameKey(name, b)
	fr, ok := s.frames.get(key)
	if key == "" || !ok {
		var err error
		if fr, err = s.drawFrame(name, data); err != nil {
			s.renderFailed(w, name, err)
			return
		}
		if key != "" {
			s.frames.put(key, fr)
		}
	}
	h := w.Header()
	setShared(h, "Content-Type", hvHTML)
	setShared(h, "Cache-Control", hvNoStore)
	h.Set("Content-Length", strconv.Itoa(len(fr.head)+len(c.body)+len(fr.tail)))
	w.WriteHeader(status)
	_, _ = w.Write(fr.head)
	_, _ = w.Write(c.body)
	_, _ = w.Write(fr.tail)
}

// pageFrame is a page's frame: the bytes before its content and after it.
type pageFrame struct{ head, tail []byte }

// maxPageFrames bounds the frames kept: some 5 KB each, one per page title.
const maxPageFrames = 512

// drawFrame draws the layout of page name with data, whose Content is contentSlot.
func (s *Server) drawFrame(name string, data framed) (*pageFrame, error) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, err
	}
	frame := buf.Bytes()
	if !utf8.Valid(frame) {
		frame = bytes.ToValidUTF8(frame, []byte("\uFFFD"))
	}
	head, tail, ok := bytes.Cut(frame, []byte(contentSlot))
	if !ok {
		return nil, errNoContentSlot
	}
	return &pageFrame{head: head, tail: tail}, nil
}

// frameKey is the key of the frame of page name drawn with b in Server.frames: everything of b the
// layout shows. It is "" for a signed-in viewer (or anyone with a message or a form of their own),
// whose frame is drawn on every request. TestFrameKeyCoversTheFrame checks that every field of
// base that changes the frame changes the key.
func frameKey(name string, b *base) string {
	if b.Me != nil || b.Flash != "" || b.Save != nil || b.Connect != nil || b.UnreadAlerts != 0 {
		return ""
	}
	d := newDigest()
	d.str(name)
	d.str(b.Title)
	d.str(b.Nav)
	d.flag(b.Simulated)
	d.flag(b.HealthBad)
	h := &b.Health
	d.flag(h.Simulated)
	d.str(h.Gateway)
	d.str(h.AppKey)
	d.flag(h.TrackingID)
	d.flag(h.OK)
	d.str(h.Message)
	if b.HealthBad { // shown only then, and new on every check
		d.num(h.CheckedAt.UnixNano())
	}
	d.flag(b.Stale)
	d.str(b.StaleReason)
	d.flag(b.FetchedAt.IsZero())
	d.num(b.FetchedAt.UnixNano())
	d.num(int64(b.Year))
	d.flag(b.Accounts)
	d.flag(b.Console)
	d.flag(b.Orders)
	d.flag(b.SkipToResults)
	d.str(string(b.Content))
	return d.sum()
}

type contentError string

func (e contentError) Error() string { return string(e) }

// errNoContentSlot is a layout that does not print the content.
const errNoContentSlot = contentError("the layout does not print .Content")

// viewer adds to d what of the viewer a page's content shows: the "Save to list" form of the
// search, product and import pages (its lists and return address), the user's connected accounts
// (the product page's note), and whether the app runs on the simulator (the links say so).
func (d *digest) viewer(b *base) {
	d.flag(b.Simulated)
	d.flag(b.Save != nil)
	if b.Save != nil {
		j, _ := json.Marshal(b.Save) // the template sees exported fields only, as JSON does
		d.str(string(j))
	}
	d.flag(b.Connect != nil)
	if b.Connect != nil {
		j, _ := json.Marshal(b.Connect)
		d.str(string(j))
	}
}

// categoryDigest digests the category tree the search form lists, once per tree: the catalog
// keeps one decoded tree while it is fresh.
type categoryDigest struct {
	mu   sync.Mutex
	tree []catalog.Category // held, so that its address is not reused while it keys sum
	sum  string
}

func (c *categoryDigest) of(cats []catalog.Category) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(cats) > 0 && len(cats) == len(c.tree) && &cats[0] == &c.tree[0] {
		return c.sum
	}
	d := newDigest()
	for _, cat := range cats {
		d.num(cat.ID)
		d.num(cat.ParentID)
		d.str(cat.Name)
	}
	c.tree, c.sum = cats, d.sum()
	return c.sum
}
