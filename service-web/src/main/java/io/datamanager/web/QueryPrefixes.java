package io.datamanager.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Query parameters a route takes by prefix, besides its {@code @QueryParam}s: {@code pk.<column>}, {@code match.<column>}. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface QueryPrefixes {
    String[] value();
}
