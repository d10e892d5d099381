package dev.veil.runtime.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The function runs on the host its event arrived at, never on another cluster member. For
 * functions whose hosts publish the same name but are not interchangeable, such as the
 * secret-sharing roles (party 0's shares are not party 1's): the caller chose the host on purpose.
 * Without it, a clustered host may hand an invocation to any member that hosts the function (see
 * {@link AffinityKey}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RunsWhereCalled {}
