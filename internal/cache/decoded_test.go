package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// decodes counts the decodings of countedValue.
var decodes atomic.Int64

type countedValue struct{ V nested }

func (c *countedValue) UnmarshalJSON(b []byte) error {
	decodes.Add(1)
	return json.Unmarshal(b, &c.V)
}

func (c countedValue) MarshalJSON() ([]byte, error) { return json.Marshal(c.V) }

type nested struct {
	Name    string
	When    time.Time
	Tags    []string
	Items   []item
	ByName  map[string]*item
	Ptr     *item
	Any     any
	Fixed   [2][]int
	private []int
}

type item struct {
	Code  string
	Days  []int
	Price *int64
}

func sample() nested {
	p := int64(399)
	return nested{Name: "case", When: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), Tags: []string{"a", "b"},
		Items: []item{{Code: "std", Days: []int{7, 12}, Price: &p}}, ByName: map[string]*item{"x": {Code: "x", Days: []int{1}}},
		Ptr: &item{Code: "p"}, Any: map[string]any{"k": []any{"v"}}, Fixed: [2][]int{{1}, {2}}, private: []int{9}}
}

// TestDeepCopyOwnsEverything: a deep copy equals its source, and no change to it reaches the
// source.
func TestDeepCopyOwnsEverything(t *testing.T) {
	src := sample()
	cp := deepCopy(src)
	if !reflect.DeepEqual(cp, src) {
		t.Fatalf("deepCopy = %+v; want %+v", cp, src)
	}
	cp.Tags[0] = "changed"
	cp.Items[0].Days[0] = 99
	*cp.Items[0].Price = 1
	cp.ByName["x"].Days[0] = 99
	cp.ByName["y"] = nil
	cp.Ptr.Code = "changed"
	cp.Any.(map[string]any)["k"].([]any)[0] = "changed"
	cp.Fixed[0][0] = 99
	if !reflect.DeepEqual(src, sample()) {
		t.Errorf("changing the copy changed the source: %+v", src)
	}
}

// TestFetchJSONDecodesOnce: a value read again is copied from the one decoded the first time,
// each caller owning its copy; new bytes under the key are decoded anew.
func TestFetchJSONDecodesOnce(t *testing.T) {
	h := newHarness(t, backends[0], Options{})
	load := func(context.Context) (countedValue, error) { return countedValue{V: sample()}, nil }
	before := decodes.Load()
	first, _, err := FetchJSON(t.Context(), h.cache, "k", ttl, load)
	if err != nil {
		t.Fatal(err)
	}
	first.V.Items[0].Days[0] = 99
	for range 3 {
		got, r, err := FetchJSON(t.Context(), h.cache, "k", ttl, load)
		if err != nil || !r.Hit || got.V.Items[0].Days[0] != 7 || got.V.Name != "case" {
			t.Fatalf("repeated FetchJSON = %+v, hit %v, %v; want the cached value, untouched by the first caller", got.V, r.Hit, err)
		}
	}
	if n := decodes.Load() - before; n > 2 { // the check of a loaded value, then the first read
		t.Errorf("4 reads decoded the JSON %d times; want it decoded once and copied", n)
	}
	changed := sample()
	changed.Name = "new"
	if err := StoreJSON(t.Context(), h.cache, "k", ttl, countedValue{V: changed}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := FetchJSON(t.Context(), h.cache, "k", ttl, load); got.V.Name != "new" {
		t.Errorf("after new bytes were stored, FetchJSON = %q; want the new value", got.V.Name)
	}
}

// TestDecodedMemoHoldsNoBytes: the memo tells the bytes a value came from by a digest, so that an
// answer the store evicted is not kept alive by it, and other bytes of the same length under the
// same key are decoded anew.
func TestDecodedMemoHoldsNoBytes(t *testing.T) {
	var d decodedMemo
	defer runtime.KeepAlive(&d) // the memo lives on while the bytes should go
	freed := make(chan struct{})
	raw := make([]byte, 64<<10)
	copy(raw, `{"v":1}`)
	runtime.AddCleanup(&raw[0], func(ch chan struct{}) { close(ch) }, freed)
	d.put("k", raw, 1)
	same := bytes.Clone(raw)
	if v, ok := d.get("k", same); !ok || v != 1 {
		t.Fatalf("get(k, equal bytes) = %v, %v; want the kept value", v, ok)
	}
	other := bytes.Clone(raw)
	other[len(other)-1] = 'x'
	if _, ok := d.get("k", other); ok {
		t.Error("get(k, other bytes of the same length) found the value decoded from the first ones")
	}
	raw, same, other = nil, nil, nil
	for range 20 {
		runtime.GC()
		select {
		case <-freed:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Error("the bytes a kept value was decoded from stay alive while the memo holds it")
}

// TestDecodedMemoDropsIdleValues: a value nobody asks for leaves memory after the idle time, with
// nothing else put; one still asked for stays; and once the memo is empty no sweep is left due.
func TestDecodedMemoDropsIdleValues(t *testing.T) {
	d := decodedMemo{idle: 40 * time.Millisecond}
	raw := []byte(`{"v":1}`)
	d.put("idle", raw, 1)
	d.put("used", raw, 2)
	size := func() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.m) }
	for deadline := time.Now().Add(5 * time.Second); size() == 2; time.Sleep(5 * time.Millisecond) {
		if _, ok := d.get("used", raw); !ok {
			t.Fatal("the value asked for all along was dropped")
		}
		if time.Now().After(deadline) {
			t.Fatal("the value nobody asked for is still kept after 5 s")
		}
	}
	if _, ok := d.get("idle", raw); ok {
		t.Error("the idle value is still served")
	}
	if v, ok := d.get("used", raw); !ok || v != 2 {
		t.Fatalf("get(used) = %v, %v; want the value asked for all along", v, ok)
	}
	for deadline := time.Now().Add(5 * time.Second); size() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the value no longer asked for is still kept after 5 s")
		}
	}
	time.Sleep(100 * time.Millisecond)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sweeping {
		t.Error("a sweep is still due with the memo empty")
	}
}

// BenchmarkFetchJSONHit reads a kept 50-item answer of about 40 KB: the digest of its bytes, then
// the deep copy each caller gets.
func BenchmarkFetchJSONHit(b *testing.B) {
	type item struct {
		ID     int64
		Title  string
		Images []string
		Price  int64
	}
	v := make([]item, 50)
	for i := range v {
		v[i] = item{ID: int64(i), Title: strings.Repeat("t", 600), Images: []string{strings.Repeat("i", 80), strings.Repeat("j", 80)}, Price: 1999}
	}
	c := New(NewMemoryStore(MemoryOptions{}), Options{})
	load := func(context.Context) ([]item, error) { return v, nil }
	if _, _, err := FetchJSON(b.Context(), c, "k", time.Hour, load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, r, err := FetchJSON(b.Context(), c, "k", time.Hour, load); err != nil || !r.Hit {
			b.Fatalf("FetchJSON = %+v, %v; want a hit", r, err)
		}
	}
}
