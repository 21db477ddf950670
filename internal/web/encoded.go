package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"

	"github.com/aliscout/aliscout/internal/catalog"
)

// encodedCache keeps encoded JSON answers (and a gzip copy) by the request and the data they were
// made from, so that a repeated read of cached data costs a lookup instead of converting,
// sanitizing and encoding again. The key holds the query and a digest of the data's identity:
// when each product was fetched (a product's fields change only with a new fetch), and what can
// change after that (shipping filled in, stock, prices, the stale and paging flags). So a stale
// answer, another query's or another currency's is never served for this one.
type encodedCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element // of *encodedAnswer
	order   *list.List               // front: most recently used
	hits    int                      // answers served from the cache, for tests
}

// encodedAnswer is one encoded answer.
type encodedAnswer struct {
	key  string
	etag string
	body []byte
	gz   []byte // nil when the body is too small to be worth compressing
}

// maxEncodedAnswers bounds the encoded answers kept: a search answer is some 30-50 KB plus its
// gzip copy, so about 20 MB at most.
const maxEncodedAnswers = 384

func newEncodedCache(max int) *encodedCache {
	return &encodedCache{max: max, entries: map[string]*list.Element{}, order: list.New()}
}

func (c *encodedCache) get(key string) (*encodedAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	c.hits++
	return el.Value.(*encodedAnswer), true
}

func (c *encodedCache) put(a *encodedAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[a.key]; ok {
		el.Value = a
		c.order.MoveToFront(el)
		return
	}
	c.entries[a.key] = c.order.PushFront(a)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*encodedAnswer).key)
	}
}

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
	a := &encodedAnswer{key: key, etag: `"` + hex.EncodeToString(h.Sum(nil)) + `"`, body: b.Bytes()}
	if b.Len() >= 1024 {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		zw.Write(a.body)
		zw.Close()
		a.gz = z.Bytes()
	}
	return a, nil
}

// writeEncoded answers r with a: 304 when the client holds it already (If-None-Match), the gzip
// copy when the client takes gzip, the plain bytes otherwise.
func writeEncoded(w http.ResponseWriter, r *http.Request, a *encodedAnswer) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "private, no-cache") // may be kept, but asked for again (ETag)
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if a.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		w.Write(a.gz)
		return
	}
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

// searchAnswerKey is the key of res, the answer to query, in the encoded cache: the query as
// given, and a digest of the result's identity (see encodedCache).
func searchAnswerKey(query string, res *catalog.SearchResult) string {
	h := fnv.New128a()
	var n [8]byte
	num := func(v int64) { binary.LittleEndian.PutUint64(n[:], uint64(v)); h.Write(n[:]) }
	str := func(s string) { num(int64(len(s))); h.Write([]byte(s)) }
	flag := func(b bool) {
		if b {
			num(1)
		} else {
			num(0)
		}
	}
	num(int64(res.Total))
	num(int64(res.Page))
	num(int64(res.PageSize))
	num(int64(res.LastPage))
	num(int64(res.SoldOutHidden))
	flag(res.More)
	flag(res.PastEnd)
	flag(res.Stale)
	flag(res.TotalIsEstimate)
	str(res.StaleReason)
	for i := range res.Products {
		p := &res.Products[i]
		num(p.ID)
		num(p.FetchedAt.UnixNano())
		flag(p.Stale)
		flag(p.ShippingPending)
		flag(p.ShippingUnknown)
		str(p.ShipTo)
		str(p.Title)
		str(p.Price.Currency)
		num(p.Price.Amount)
		num(p.OriginalPrice.Amount)
		num(int64(p.Orders30d))
		num(int64(len(p.Shipping)))
		for _, o := range p.Shipping {
			str(o.Code)
			num(o.Fee.Amount)
			num(int64(o.MinDays))
			num(int64(o.MaxDays))
			flag(o.Tracking)
		}
		num(int64(len(p.Variants)))
		for _, v := range p.Variants {
			str(v.SKUID)
			num(v.Price.Amount)
			num(int64(v.Stock))
			num(v.ImportCharge.Amount)
		}
	}
	return query + "\x00" + hex.EncodeToString(h.Sum(nil))
}
