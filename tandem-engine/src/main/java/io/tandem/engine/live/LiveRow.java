package io.tandem.engine.live;

import io.tandem.engine.query.QueryResult;

/**
 * One row update of a live view: the merged row of one (dims, bucket) as a query would answer it now.
 *
 * @param id   the position of the change in the process's sequence of row changes; a subscriber that reconnects
 *             with it as its last id resumes right after it
 * @param view the view the row belongs to
 * @param row  the merged row, with the path it came from
 */
public record LiveRow(long id, String view, QueryResult.Row row) {
}
