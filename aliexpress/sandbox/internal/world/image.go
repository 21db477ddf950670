package world

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"sync"
)

// Placeholder pictures: a tile in a colour of the product, with a shape that tells its pictures
// apart. A variant picture of a colour value is drawn in that colour, so a grid of swatches looks
// like what it names.

// ImageSize is the width and height of every placeholder picture, in pixels.
const ImageSize = 240

// ImagePNG renders the placeholder picture for an image path of this catalog, or ok false when the
// path is not one of its images. Paths are those the catalog hands out in Product.Images,
// PropertyValue.Image and Variant.Image, all under /sandbox/img/. The bytes are shared with later
// callers: do not modify them.
func (c *Catalog) ImagePNG(path string) (png []byte, ok bool) {
	if b, ok := c.images.get(path); ok {
		return b, true
	}
	rest, ok := strings.CutPrefix(path, "/sandbox/img/")
	if !ok {
		return nil, false
	}
	idStr, file, ok := strings.Cut(rest, "/")
	name, ok2 := strings.CutSuffix(file, ".png")
	if !ok || !ok2 || name == "" {
		return nil, false
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil || strconv.FormatInt(id, 10) != idStr {
		return nil, false
	}
	i, ok := c.find(id)
	if !ok {
		return nil, false
	}
	it := &c.items[i]
	d := c.detail(i)
	h := mix(uint64(c.seed), saltImage, uint64(id))
	base := hueColor(h)
	var fg color.RGBA
	var shape int
	if v, isValue := strings.CutPrefix(name, "v"); isValue {
		found := false
		for _, dm := range d.dims {
			for j, pv := range dm.values {
				if pv.Image == path {
					found, shape = true, j
					fg = valueColor(pv.Name, mix(h, uint64(pv.ID)))
				}
			}
		}
		if !found || v == "" {
			return nil, false
		}
	} else {
		n, err := strconv.Atoi(name)
		if err != nil || n < 0 || n >= len(d.images) || d.images[n] != path {
			return nil, false
		}
		shape, fg = n, base
	}
	b := render(fg, tint(base), shape, it.hostile > 0, &c.pngBufs)
	c.images.put(path, b)
	return b, true
}

// hueColor is a saturated colour from a hash.
func hueColor(h uint64) color.RGBA {
	hue := float64(h%360) / 60
	x := uint8(255 * (1 - abs(mod2(hue)-1)))
	lo, hi := uint8(40), uint8(220)
	x = lo + uint8(uint16(x)*uint16(hi-lo)/255)
	switch int(hue) {
	case 0:
		return color.RGBA{hi, x, lo, 255}
	case 1:
		return color.RGBA{x, hi, lo, 255}
	case 2:
		return color.RGBA{lo, hi, x, 255}
	case 3:
		return color.RGBA{lo, x, hi, 255}
	case 4:
		return color.RGBA{x, lo, hi, 255}
	}
	return color.RGBA{hi, lo, x, 255}
}

func mod2(f float64) float64 {
	for f >= 2 {
		f -= 2
	}
	return f
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// tint is a pale version of c for the background.
func tint(c color.RGBA) color.RGBA {
	return color.RGBA{uint8((int(c.R) + 3*255) / 4), uint8((int(c.G) + 3*255) / 4), uint8((int(c.B) + 3*255) / 4), 255}
}

// valueColor is the colour a value names ("Rose Gold Color" -> rose gold), or one from the hash.
func valueColor(name string, h uint64) color.RGBA {
	best := -1
	lower := strings.ToLower(name)
	for i, c := range colors {
		if strings.Contains(lower, strings.ToLower(c.name)) && (best < 0 || len(c.name) > len(colors[best].name)) {
			best = i
		}
	}
	if best < 0 {
		return hueColor(h)
	}
	rgb := colors[best].rgb
	return color.RGBA{uint8(rgb >> 16), uint8(rgb >> 8), uint8(rgb), 255}
}

// render draws one picture: background, a shape in fg, and a frame. Hostile products get a
// striped frame, which makes them easy to spot in a grid.
func render(fg, bg color.RGBA, shape int, striped bool, bufs png.EncoderBufferPool) []byte {
	pal := color.Palette{bg, fg, color.RGBA{60, 60, 60, 255}, color.RGBA{230, 40, 40, 255}}
	img := image.NewPaletted(image.Rect(0, 0, ImageSize, ImageSize), pal)
	const s = ImageSize
	for y := range s {
		for x := range s {
			var idx uint8
			dx, dy := x-s/2, y-s/2
			switch shape % 8 {
			case 0: // disc
				if dx*dx+dy*dy < 70*70 {
					idx = 1
				}
			case 1: // square
				if iabs(dx) < 62 && iabs(dy) < 62 {
					idx = 1
				}
			case 2: // triangle
				if dy > -70 && dy < 60 && iabs(dx)*20 < (dy+70)*11 {
					idx = 1
				}
			case 3: // diamond
				if iabs(dx)+iabs(dy) < 80 {
					idx = 1
				}
			case 4: // ring
				if r := dx*dx + dy*dy; r < 75*75 && r > 45*45 {
					idx = 1
				}
			case 5: // stripes
				if iabs(dy) < 70 && iabs(dx) < 70 && (y/14)%2 == 0 {
					idx = 1
				}
			case 6: // cross
				if iabs(dx-dy) < 24 && iabs(dx) < 70 || iabs(dx+dy) < 24 && iabs(dx) < 70 {
					idx = 1
				}
			default: // plus
				if iabs(dx) < 22 && iabs(dy) < 75 || iabs(dy) < 22 && iabs(dx) < 75 {
					idx = 1
				}
			}
			if x < 4 || y < 4 || x >= s-4 || y >= s-4 {
				idx = 2
				if striped && ((x+y)/8)%2 == 0 {
					idx = 3
				}
			}
			img.SetColorIndex(x, y, idx)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: bufs}
	if err := enc.Encode(&buf, img); err != nil {
		panic("catalog: encode png: " + err.Error()) // cannot happen with an in-memory buffer
	}
	return buf.Bytes()
}

func iabs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pngBuffers lets the PNG encoder reuse its compression state between pictures.
type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if e, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return e
	}
	return nil
}

func (b *pngBuffers) Put(e *png.EncoderBuffer) { b.p.Put(e) }
