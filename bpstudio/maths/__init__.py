"""The maths of the lesson, presented: notation, formulas as expression trees, the step
sequence, the worked solution and quiz answers. Pure Python on the engine's numbers; must not
import the document, the ui or Qt."""
