// Package itam holds the domain of the inventory: its types, the errors every
// layer speaks, and who is asking. It imports nothing else of the project so
// that storage, transports and connectors can all depend on it.
package itam

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error. The GraphQL layer maps codes one to one onto
// extensions.code, so clients can branch on them without parsing messages.
type Code string

const (
	CodeInvalid         Code = "BAD_USER_INPUT"
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeConflict        Code = "CONFLICT"
	// CodeRateLimited refuses a call made too often; Error.RetryAfter says
	// when it would be accepted.
	CodeRateLimited Code = "RATE_LIMITED"
	// CodeTimeout: the request's statements ran past the statement timeout
	// (ITAM_STATEMENT_TIMEOUT); nothing was written. A narrower filter or a
	// smaller page may succeed.
	CodeTimeout  Code = "TIMEOUT"
	CodeInternal Code = "INTERNAL"
)

// Error is the one error type that crosses layer boundaries. Message is safe
// to show a user; Field names the input field at fault (dotted path) when the
// error is about input.
type Error struct {
	Code    Code
	Message string
	Field   string
	// RetryAfter, for CodeRateLimited, is how long until a retry can succeed.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Invalid reports bad input in field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that a thing does not exist or is not visible to the caller;
// the two are deliberately indistinguishable so ids of other tenants leak nothing.
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

// Conflict reports a uniqueness clash or a stale version.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Forbidden reports an authenticated caller whose role does not allow the operation.
func Forbidden(format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, args...)}
}

// Unauthenticated reports a missing or unusable credential.
func Unauthenticated(format string, args ...any) *Error {
	return &Error{Code: CodeUnauthenticated, Message: fmt.Sprintf(format, args...)}
}

// RateLimited reports a call made too often; retryAfter is the hint.
func RateLimited(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: CodeRateLimited, RetryAfter: retryAfter, Message: fmt.Sprintf(format, args...)}
}

// Timeout reports that the database gave up on a statement that ran too long.
func Timeout(format string, args ...any) *Error {
	return &Error{Code: CodeTimeout, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or CodeInternal when err is not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
