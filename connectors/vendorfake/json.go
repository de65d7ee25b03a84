package vendorfake

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// WriteJSON answers status with v as JSON under contentType (each vendor's
// own), with a Content-Length as the real APIs send.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
