package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.problems.LogisticRegression;
import io.rkflow.solvers.problems.Problems;
import io.rkflow.solvers.problems.Rosenbrock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One table of optimizers, optax style: every one decreases the loss of a logistic regression and
 * of Rosenbrock's function from the same fixed start.
 */
class OptimizerTableTest extends DeviceTest {


    @ParameterizedTest
    @ValueSource(strings = {
        "sgd+h(0.5)", "sgd+h(0.5)+momentum(0.9)", "sgd+h(0.5)+nesterov(0.9)", "sgd+h(0.5)+adagrad",
        "sgd+h(0.01)+rmsprop", "sgd+h(0.01)+ema", "adam(lr=0.01)", "adamw(lr=0.01,wd=0.01)",
        "heun+h(0.5)", "midpoint+h(0.5)", "ralston2+h(0.5)", "kutta3+h(0.5)", "ssprk3+h(0.5)", "rk4+h(0.5)",
        "rk38+h(0.5)", "rk4+h(0.5)+adagrad", "rk4+h(0.5)+adagrad(per_stage)", "rk4+h(0.5)+momentum(0.9)",
        "rk4+adagrad+dal(p=2,c=0.5)", "rk4+dal(p=1,c=1,hg=fd)", "sgd+dal(c=1)", "rk4+h(0.5)+warmup(5)+cosine(50)",
        "bs3+h(0.5)+tol(rtol=1e-2,atol=1e-3)", "rkf45+h(0.5)+tol(rtol=1e-2,atol=1e-3)",
        "cashkarp+h(0.5)+tol(rtol=1e-2,atol=1e-3)", "dopri5+h(0.5)+tol(rtol=1e-2,atol=1e-3)",
        "tsit5+h(0.5)+tol(rtol=1e-2,atol=1e-3)", "dopri5+h(0.5)", "tsit5+h(0.5)+ema(beta2=0.99)",
        "gauss2+h(1)+newton", "radau3+h(1)+newton+adagrad", "trapezoid+h(0.5)",
    })
    void decreasesTheLossOfALogisticRegression(String spec) {
        LogisticRegression problem = new LogisticRegression(device, 200, 5, 3, 7);
        float[] theta0 = new float[problem.dimension()];
        float initial = Problems.evaluate(problem, theta0)[0];
        try (Run run = new Run(spec, problem, theta0)) {
            run.steps(50);
            float last = Problems.evaluate(problem, run.theta())[0];
            assertTrue(last < 0.5f * initial, spec + ": loss " + initial + " -> " + last);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sgd+h(0.001)", "sgd+h(0.001)+momentum(0.9)", "sgd+h(0.001)+nesterov(0.9)", "sgd+h(0.05)+adagrad",
        "sgd+h(0.01)+rmsprop", "sgd+h(0.01)+ema", "adam(lr=0.01)", "adamw(lr=0.01,wd=0.01)",
        "heun+h(0.001)", "rk4+h(0.001)", "rk38+h(0.001)", "rk4+h(0.05)+adagrad", "rk4+h(0.001)+momentum(0.9)",
        "rk4+adagrad+dal(p=2,c=0.1)", "rk4+dal(p=1,c=0.01,hg=fd)", "sgd+dal(p=1,c=0.01)",
        "bs3+h(0.001)+tol(rtol=1e-3,atol=1e-4)", "dopri5+h(0.001)+tol(rtol=1e-3,atol=1e-4)",
        "tsit5+h(0.001)+tol(rtol=1e-3,atol=1e-4)", "gauss2+h(0.001)+newton", "radau3+h(0.001)+newton",
        "implicit-midpoint+h(0.001)", "backward-euler+h(0.05)+newton",
    })
    void decreasesRosenbrockFromAFixedStart(String spec) {
        Rosenbrock problem = new Rosenbrock(device);
        float[] theta0 = {-1.2f, 1.0f};
        float initial = Problems.evaluate(problem, theta0)[0];
        try (Run run = new Run(spec, problem, theta0)) {
            run.steps(200);
            float last = Problems.evaluate(problem, run.theta())[0];
            assertTrue(last < 0.5f * initial, spec + ": f " + initial + " -> " + last);
        }
    }
}
