package io.rkflow.solvers.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rkflow.solvers.tableau.Tableaux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecTest {

    @Test
    void parsesThePapersOptimizer() {
        Spec spec = Spec.parse("rk4+adagrad+dal(p=2,c=0.5)+momentum(0.9)");
        assertEquals(Tableaux.RK4, spec.tableau());
        assertEquals(Preconditioner.modifiedAdaGrad(), spec.preconditioner());
        assertEquals(2.0, spec.dal().p());
        assertEquals(0.5, spec.dal().c());
        assertEquals(new Momentum(0.9, false), spec.momentum());
        assertEquals("rk4+h(0.1)+dal(c=0.5,p=2,hg=stages,eps=0.001)+adagrad(delta=1)+momentum(0.9)", spec.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rk4", "sgd+lr(0.05)+nesterov(0.8)", "adam(lr=3e-4,wd=0.1)", "adamw",
        "dopri5+tol(rtol=1e-2,atol=1e-4)+ema(beta2=0.99)", "euler+dal(hg=fd,c=2)+warmup(10)+cosine(steps=100,min=0.1)",
        "heun+rmsprop(per_stage)+fresh_batch", "gauss2", "radau3+newton(krylov=10,tol=1e-4)+adagrad"})
    void theCanonicalFormReadsBackToAnEqualSpec(String text) {
        Spec spec = Spec.parse(text);
        assertEquals(spec, Spec.parse(spec.toString()), spec.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rk5|unknown method 'rk5'; valid: sgd, adam, adamw, or a tableau: euler, heun",
        "rk4+adagard|unknown ingredient 'adagard'; valid: h (lr), warmup",
        "rk4+momentum(gamma=0.9)|momentum: unknown parameter 'gamma'; valid: beta",
        "rk4+momentum(1.5)|momentum: beta = 1.5, must be in [0, 1)",
        "rk4+h(0.1x)|h: h = '0.1x' is not a number",
        "rk4+h(abc)|h: unknown parameter 'abc' ('abc' is not a number either; a value looks like h(0.1)); valid: h",
        "rk4+lr=0.1|'lr=0.1' is not a name (in 'rk4+lr=0.1'); parameters go in parentheses: lr(0.1)",
        "rk4+tol(rtol=1e-3)|tol: step-size control needs an embedded pair",
        "rk4+newton|newton solves the stages of implicit tableaux (backward-euler, implicit-midpoint",
        "gauss2+dal|gauss2 is implicit: dal and per_stage preconditioning are for explicit tableaux",
        "euler+dal(hg=stages)|dal(hg=stages) estimates Hg from (k1 - k2)/(a21 h)",
        "rk4+adagrad+rmsprop|'rmsprop' is given twice",
        "adam+momentum(0.9)|adam and adamw take no RK ingredients",
        "rk4+(|unbalanced '('",
        "rk4++h(1)|empty term",
        "''|optimizer spec is empty",
    })
    void badSpecsAreErrorsThatSayWhatIsValid(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spec.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
