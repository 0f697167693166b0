package io.tandem.engine.batchview;

/**
 * Whether the cold path is making progress: {@code ok}, or {@code failed} while sealing epochs into the lake or
 * the last batch run keeps failing, or from the start until a full recompute has replaced batch view files found
 * damaged. A failure is retried with backoff (1 s, doubling to 60 s); a run asked for by hand retries at once.
 *
 * @param status     {@code ok} or {@code failed}
 * @param stage      what fails: {@code sealing}, {@code batch run} or {@code batch views}; null when ok
 * @param error      the reason, as the latest attempt gave it; null when ok
 * @param sinceMs    when the failure began (the first failed attempt with this reason); null when ok
 * @param attempts   failed attempts in a row with this reason; 0 when ok
 * @param retryInMs  how long until the next automatic attempt; null when ok
 */
public record ColdPathStatus(String status, String stage, String error, Long sinceMs, int attempts,
                             Long retryInMs) {

    public static final ColdPathStatus OK = new ColdPathStatus("ok", null, null, null, 0, null);

    public boolean failed() {
        return !status.equals("ok");
    }
}
