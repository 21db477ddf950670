package catalog

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status in one place.
const (
	EInvalid     = "invalid"      // the caller's input is wrong; Field names what
	ENotFound    = "not_found"    // no such product (or no longer listed)
	ENotShipped  = "not_shipped"  // the product does not ship to the asked country
	ERateLimited = "rate_limited" // AliExpress throttled us and nothing cached could be served
	EUpstream    = "upstream"     // AliExpress failed or could not be reached
	EConfig      = "config"       // AliExpress refused our credentials or permissions
	EInternal    = "internal"
)

// Error is a failure with a code the user interface understands and a message it may show. It
// never carries a secret: messages come from aliscout, and from the SDK's redacted errors.
type Error struct {
	Code    string
	Field   string // for EInvalid: the input field, e.g. "min_price"
	Message string
	Err     error // the cause, for logs and errors.Is
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of err, EInternal for errors that are not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}
