package io.tandem.engine.ingest;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SequencerTest {

    private final Sequencer sequencer = new Sequencer(60_000);

    @Test
    void requestsOfASessionRunInTheirOrder_whateverOrderTheyCome_andSessionsAreIndependent() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> waiting = new ArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int n = 3; n >= 1; n--) {
            Sequence seq = new Sequence("file", n);
            CompletableFuture<Void> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                sequencer.inTurn("trades", seq, () -> order.add("file/" + seq.n()));
                f.complete(null);
            });
            t.start();
            waiting.add(t);
            done.add(f);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting.stream()
                .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
        sequencer.inTurn("trades", new Sequence("other", 0), () -> order.add("other/0"));
        sequencer.inTurn("news", new Sequence("file", 0), () -> order.add("news-file/0"));
        assertThat(order).containsExactly("other/0", "news-file/0");

        sequencer.inTurn("trades", new Sequence("file", 0), () -> order.add("file/0"));
        done.forEach(CompletableFuture::join);

        assertThat(order).containsExactly("other/0", "news-file/0", "file/0", "file/1", "file/2", "file/3");
    }

    @Test
    void aFailedRequestKeepsItsTurn_aRetryOfAPastNumberGoesThrough_andAFinalRefusalMovesOn() {
        List<String> order = new ArrayList<>();
        Sequence first = new Sequence("s", 0);
        assertThatThrownBy(() -> sequencer.inTurn("t", first, () -> {
            throw new IllegalStateException("the log failed");
        })).hasMessage("the log failed");
        sequencer.inTurn("t", first, () -> order.add("0 retried"));
        sequencer.inTurn("t", first, () -> order.add("0 again, a replay"));
        assertThatThrownBy(() -> sequencer.inTurn("t", new Sequence("s", 1), () -> {
            throw new IngestException(IngestException.Kind.NO_EVENTS, "empty");
        })).isInstanceOf(IngestException.class);
        sequencer.inTurn("t", new Sequence("s", 2), () -> order.add("2"));

        assertThat(order).containsExactly("0 retried", "0 again, a replay", "2");
    }

    @Test
    void aRequestWhosePredecessorNeverComes_isRefusedNamingTheMissingNumber() {
        Sequencer impatient = new Sequencer(100);

        assertThatThrownBy(() -> impatient.inTurn("t", new Sequence("s", 2), () -> "never"))
                .isInstanceOfSatisfying(IngestException.class, e ->
                        assertThat(e.kind()).isEqualTo(IngestException.Kind.OUT_OF_ORDER))
                .hasMessageContaining("request 2 of session 's'").hasMessageContaining("for request 0");
    }

    @Test
    void headersThatAreNotASequence_areRefusedSayingWhatIsExpected() {
        assertThat(Sequence.parse("f3a9c2/17")).isEqualTo(new Sequence("f3a9c2", 17));
        for (String bad : List.of("", "abc", "abc/", "/3", "a b/1", "abc/-1", "abc/1x", "x".repeat(65) + "/1")) {
            assertThatThrownBy(() -> Sequence.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("<session>/<n>");
        }
    }
}
