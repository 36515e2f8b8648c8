package stdwebhook

import (
	"net/http"
	"testing"
	"time"
)

func TestSignature(t *testing.T) {
	// The example of the Standard Webhooks specification.
	at := time.Unix(1614265330, 0)
	h := http.Header{}
	err := SetHeaders(h, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", at, []byte(`{"test": 2432232314}`))
	if err != nil || h.Get(HeaderSignature) != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" ||
		h.Get(HeaderTimestamp) != "1614265330" || h.Get(HeaderID) != "msg_p5jXN8AQM9LWM0D4loKWxJek" {
		t.Errorf("headers %v, %v", h, err)
	}
	if _, err := Sign("whsec_not base64!", "id", at, nil); err != ErrSecret {
		t.Errorf("a bad secret: %v", err)
	}
}
