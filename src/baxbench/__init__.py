"""baxbench: can this model write a backend that is both correct and secure?"""

__version__ = "0.1.0"
