package export

import (
	"fmt"
	"io"
)

// Checker validates a file while it is written: everything written through it goes to the
// underlying writer and, through a pipe, to the format's validator running in a goroutine that
// the Checker owns. Close ends the stream, waits for the validator and returns its verdict, so a
// server can stream an export to disk or to a client and know at the end whether it is fit to
// import, without holding the file in memory.
//
// The check's report also lists what the writer changed to keep the file safe: pass Record as
// Options.Changed, and read Changes after Close.
//
//	c, _ := export.NewChecker("shopify", file)
//	opts.Changed = c.Record
//	w := export.NewShopifyWriter(c, opts)
//	… w.Write(p) …
//	w.Close()
//	err := c.Close() // a *ValidationError when the file has problems
//	for _, ch := range c.Changes() { … }
type Checker struct {
	w    io.Writer
	pw   *io.PipeWriter
	done chan error

	closed  bool
	result  error
	changes []Change
}

// Record adds a writer's change to the report (Options.Changed).
func (c *Checker) Record(ch Change) { c.changes = append(c.changes, ch) }

// Changes returns the changes recorded, in the order they were made.
func (c *Checker) Changes() []Change { return c.changes }

// NewChecker returns a Checker for format ("shopify", "woocommerce" or "json") writing to w.
func NewChecker(format string, w io.Writer) (*Checker, error) {
	switch format {
	case FormatShopify, FormatWooCommerce, FormatJSON:
	default:
		return nil, fmt.Errorf("export: unknown format %q: want shopify, woocommerce or json", format)
	}
	pr, pw := io.Pipe()
	c := &Checker{w: w, pw: pw, done: make(chan error, 1)}
	go func() {
		err := Validate(format, pr)
		// Drain what the validator did not read, so that writers never block.
		_, _ = io.Copy(io.Discard, pr)
		c.done <- err
	}()
	return c, nil
}

// Write writes p to the underlying writer, then to the validator.
func (c *Checker) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		return n, err
	}
	if _, err := c.pw.Write(p[:n]); err != nil {
		return n, fmt.Errorf("export: checker: %w", err)
	}
	return n, nil
}

// Close ends the stream, waits for the validator and returns its result (again on later
// calls). It does not close the underlying writer.
func (c *Checker) Close() error {
	if !c.closed {
		c.closed = true
		c.pw.Close()
		c.result = <-c.done
	}
	return c.result
}
