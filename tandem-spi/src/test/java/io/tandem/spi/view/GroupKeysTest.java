package io.tandem.spi.view;


import io.tandem.core.GroupKey;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class GroupKeysTest {

    private static GroupKey roundTrip(GroupKey key) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GroupKeys.write(key, new DataOutputStream(bytes));
        return GroupKeys.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void everyKindOfValue_roundTrips() throws IOException {
        GroupKey key = GroupKey.of("AAPL", null, 7L, 1.5, true);
        assertThat(roundTrip(key)).isEqualTo(key);
    }

    @Test
    void stringsOfAnyLength_roundTrip_includingOnesWriteUtfCannotHold() throws IOException {
        String ascii = "b".repeat(70_000);
        String threeByte = "€".repeat(GroupKeys.SHORT_STRING + 1);
        String supplementary = "😀".repeat(20_000);
        String atTheEdge = "€".repeat(GroupKeys.SHORT_STRING);
        GroupKey key = GroupKey.of(ascii, threeByte, supplementary, atTheEdge, "\0nul");

        assertThat(roundTrip(key)).isEqualTo(key);
    }
}
