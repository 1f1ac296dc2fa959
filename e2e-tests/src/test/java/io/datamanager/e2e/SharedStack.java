package io.datamanager.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link Stack} with a history-sink for the test classes that stop, kill and restart nothing, since starting a
 * stack takes a minute or more: such a class is {@code @ExtendWith(SharedStack.class)} and takes a {@code Stack} in its
 * {@code @BeforeAll}. The first of them starts it, the others get the same one, and JUnit closes it when the run ends
 * (it is kept in the root store). A class on it keeps to tables, rows and subscriptions of its own names and leaves
 * the stack's processes and settings as they are.
 */
final class SharedStack implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Stack resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(SharedStack.class))
                .computeIfAbsent(Stack.class, key -> start(), Stack.class);
    }

    private static Stack start() {
        try {
            return new Stack(true);
        } catch (Exception e) {
            throw new ParameterResolutionException("the shared stack did not start", e);
        }
    }
}
