package io.tandem.core.config;

/**
 * One function a view's measure may use, as {@link ConfigKeys#MEASURES} documents it; the functions themselves are
 * {@link io.tandem.core.measure.Measures#FUNCTIONS}, and a test holds the two lists equal.
 *
 * @param name    the function as written
 * @param form    how a measure spells it: {@code sum(f)}, {@code quantile(f, q)}
 * @param takes   the fields it takes
 * @param result  what a bucket holds, and how alert conditions read it
 * @param meaning what it computes, in a sentence
 * @param example a measure using it, as {@code name: measure} inside {@code measures:}
 */
public record MeasureFunction(String name, String form, String takes, String result, String meaning,
                              String example) {
}
