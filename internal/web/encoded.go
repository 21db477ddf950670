package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/aliscout/aliscout/internal/catalog"
)

// lru keeps at most max values by key, dropping the least recently used. It counts the values it
// served, for tests.
type lru[V any] struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element // of lruEntry[V]
	order   *list.List               // front: most recently used
	hits    int
}

type lruEntry[V any] struct {
	key string
	v   V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, entries: map[string]*list.Element{}, order: list.New()}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	c.hits++
	return el.Value.(*lruEntry[V]).v, true
}

func (c *lru[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		el.Value.(*lruEntry[V]).v = v
		c.order.MoveToFront(el)
		return
	}
	c.entries[key] = c.order.PushFront(&lruEntry[V]{key: key, v: v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*lruEntry[V]).key)
	}
}

// served says how many values the cache served.
func (c *lru[V]) served() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

// encodedCache keeps encoded JSON answers (and a gzip copy) by the request and the data they were
// made from, so that a repeated read of cached data costs a lookup instead of converting,
// sanitizing and encoding again. The key holds the query and the data's Revision when the
// catalog names it, else a digest of the data's identity: when each product was fetched (a
// product's fields change only with a new fetch), and what can change after that (shipping filled
// in, stock, prices, the stale and paging flags). So a stale answer, another query's or another
// currency's is never served for this one. When the catalog can name the Revision it would
// answer with before building the answer (keptAnswers), a hit costs neither the answer nor its
// copy.
type encodedCache = lru[*encodedAnswer]

// encodedAnswer is one encoded answer.
type encodedAnswer struct {
	key     string
	etag    headerValue // quoted
	body    []byte
	gz      []byte // nil when the body is too small to be worth compressing
	bodyLen headerValue
	gzLen   headerValue
}

// maxEncodedAnswers bounds the encoded answers kept: a search answer is some 30-50 KB plus its
// gzip copy, so about 20 MB at most.
const maxEncodedAnswers = 384

func newEncodedCache(max int) *encodedCache { return newLRU[*encodedAnswer](max) }

// encodeAnswer encodes v as the JSON API does, with a strong ETag over the bytes and a gzip copy.
func encodeAnswer(key string, v any) (*encodedAnswer, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	h := fnv.New128a()
	h.Write(b.Bytes())
	a := &encodedAnswer{key: key, etag: shared(`"` + hex.EncodeToString(h.Sum(nil)) + `"`), body: b.Bytes(),
		bodyLen: shared(strconv.Itoa(b.Len()))}
	if b.Len() >= 1024 {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		zw.Write(a.body)
		zw.Close()
		a.gz = z.Bytes()
		a.gzLen = shared(strconv.Itoa(len(a.gz)))
	}
	return a, nil
}

// writeEncoded answers r with a: 304 when the client holds it already (If-None-Match), the gzip
// copy when the client takes gzip, the plain bytes otherwise.
func writeEncoded(w http.ResponseWriter, r *http.Request, a *encodedAnswer) {
	h := w.Header()
	setShared(h, "Content-Type", hvJSON)
	setShared(h, "Cache-Control", hvPrivateCheck)
	setShared(h, "Etag", a.etag)
	varyOnEncoding(h)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, a.etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if a.gz != nil && acceptsGzip(r) {
		setShared(h, "Content-Encoding", hvGzip)
		setShared(h, "Content-Length", a.gzLen)
		w.WriteHeader(http.StatusOK)
		w.Write(a.gz)
		return
	}
	setShared(h, "Content-Length", a.bodyLen)
	w.WriteHeader(http.StatusOK)
	w.Write(a.body)
}

func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		if p := strings.TrimSpace(part); p == etag || p == "*" {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// digest hashes the identity of answers for the encoded cache's keys, with SHA-256 (a collision
// would serve one request another's answer) over the bytes gathered, hashed once at the end.
type digest struct {
	b []byte
}

// digests keeps the buffers of finished digests for the next ones.
var digests = sync.Pool{New: func() any { return &digest{b: make([]byte, 0, 4096)} }}

// newDigest starts a digest; its sum ends it.
func newDigest() *digest {
	d := digests.Get().(*digest)
	d.b = d.b[:0]
	return d
}

func (d *digest) num(v int64) { d.b = binary.LittleEndian.AppendUint64(d.b, uint64(v)) }

func (d *digest) str(s string) {
	d.num(int64(len(s)))
	d.b = append(d.b, s...)
}

func (d *digest) flag(b bool) {
	if b {
		d.num(1)
	} else {
		d.num(0)
	}
}

// sum returns the digest of what was gathered, and hands d's buffer to the next digest: d is not
// to be used after.
func (d *digest) sum() string {
	h := sha256.Sum256(d.b)
	if cap(d.b) <= 64<<10 { // a huge one is left to the collector
		digests.Put(d)
	}
	return hex.EncodeToString(h[:])
}

// product hashes what a product's answer depends on: when it was fetched (its fields change only
// with a new fetch), and what can change after that (shipping filled in, stock, prices, staleness).
func (d *digest) product(p *catalog.Product) {
	d.num(p.ID)
	d.num(p.FetchedAt.UnixNano())
	d.str(string(p.Source))
	d.flag(p.Stale)
	d.flag(p.ShippingPending)
	d.flag(p.ShippingUnknown)
	d.str(p.ShipTo)
	d.str(p.Title)
	d.str(p.Price.Currency)
	d.num(p.Price.Amount)
	d.num(p.OriginalPrice.Amount)
	d.num(int64(p.Orders30d))
	d.num(int64(len(p.Shipping)))
	for _, o := range p.Shipping {
		d.str(o.Code)
		d.num(o.Fee.Amount)
		d.num(int64(o.MinDays))
		d.num(int64(o.MaxDays))
		d.flag(o.Tracking)
	}
	d.str(p.URL)
	d.str(p.AffiliateURL)
	d.num(int64(len(p.Variants)))
	for _, v := range p.Variants {
		d.str(v.SKUID)
		d.str(v.Price.Currency)
		d.num(v.Price.Amount)
		d.num(int64(v.Stock))
		d.num(v.ImportCharge.Amount)
		d.num(int64(len(v.Shipping)))
		for _, o := range v.Shipping {
			d.str(o.Code)
			d.num(o.Fee.Amount)
		}
	}
}

// searchAnswerKey is the key of res, the answer to query, in the encoded cache: the query as
// given, and the result's Revision when the catalog names it, else a digest of the result's
// identity (see encodedCache).
func searchAnswerKey(query string, res *catalog.SearchResult) string {
	if res.Revision != 0 { // the catalog names its data: no need to read it all
		return searchRevisionKey(query, res.Revision)
	}
	d := newDigest()
	d.num(int64(res.Total))
	d.num(int64(res.Page))
	d.num(int64(res.PageSize))
	d.num(int64(res.LastPage))
	d.num(int64(res.SoldOutHidden))
	d.flag(res.More)
	d.flag(res.PastEnd)
	d.flag(res.Stale)
	d.flag(res.TotalIsEstimate)
	d.str(res.StaleReason)
	for i := range res.Products {
		d.product(&res.Products[i])
	}
	return query + "\x00" + d.sum()
}

// productAnswerKey is the key of p, the answer to GET /api/products/{id}?query, in the encoded
// cache. viewer names whose catalog answered: "" for the server-wide one, shared by every visitor
// and every user without a connected account; a user's own otherwise, whose DS data (prices,
// stock) is their account's and never another's.
func productAnswerKey(viewer, query string, p *catalog.Product) string {
	if p.Revision != 0 {
		return productRevisionKey(viewer, query, p.Revision)
	}
	d := newDigest()
	d.product(p)
	return "product\x00" + viewer + "\x00" + query + "\x00" + d.sum()
}

// searchRevisionKey is searchAnswerKey of a result whose Revision is rev.
func searchRevisionKey(query string, rev uint64) string {
	return query + "\x00r" + strconv.FormatUint(rev, 10)
}

// productRevisionKey is productAnswerKey of a product whose Revision is rev.
func productRevisionKey(viewer, query string, rev uint64) string {
	return "product\x00" + viewer + "\x00" + query + "\x00r" + strconv.FormatUint(rev, 10)
}

// keptAnswers is what a catalog that keeps the answers it built (sourcing.Service) may also
// do: name the Revision of the answer Search or Product would give now, when giving it would
// only copy a kept one. The encoded answer made from that Revision is then served without
// asking for (and copying) the answer itself.
type keptAnswers interface {
	SearchRevision(key string) (uint64, bool) // key: the search's Filters.Key
	ProductRevision(id int64, o catalog.ProductOptions) (uint64, bool)
}

// keptSearch returns the encoded answer to the search whose Filters.Key is query that cat would
// give now, when cat names it and it is at hand.
func (s *Server) keptSearch(cat Catalog, query string) (*encodedAnswer, bool) {
	k, ok := cat.(keptAnswers)
	if !ok {
		return nil, false
	}
	rev, ok := k.SearchRevision(query)
	if !ok {
		return nil, false
	}
	return s.answers.get(searchRevisionKey(query, rev))
}

// keptProduct is keptSearch for GET /api/products/{id}?query, read through viewer's catalog cat.
func (s *Server) keptProduct(cat Catalog, viewer, query string, id int64, o catalog.ProductOptions) (*encodedAnswer, bool) {
	k, ok := cat.(keptAnswers)
	if !ok {
		return nil, false
	}
	rev, ok := k.ProductRevision(id, o)
	if !ok {
		return nil, false
	}
	return s.answers.get(productRevisionKey(viewer, query, rev))
}
