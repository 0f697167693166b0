package io.tandem.core;

/**
 * One measure of a view as declared, e.g. {@code sum(qty)}, {@code quantile(qty, 0.99)} or
 * {@code count where qty >= 1000}.
 *
 * @param function  count, sum, min, max, first, last, mean, variance, distinct or quantile
 * @param field     the input field, or null for count
 * @param parameter the quantile rank for quantile, otherwise null
 * @param where     an optional CEL condition on the event, or null
 */
public record MeasureDef(String name, String function, String field, Double parameter, String where) {
}
